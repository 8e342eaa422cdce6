import * as assert from "assert";
import fc from "fast-check";
import { isPermission } from "../../../components/gcp/catalog";
import { GRACE_LABEL } from "../../../components/runtime/gcp/rotation";
import {
    channelName,
    isMonitorEvent,
    MAX_USAGE_SETTINGS_BYTES,
    monitorEvent,
    noticeFilter,
    parseChannelName,
    PERIOD_LABEL,
    PERMISSIONS,
    renderUsageSettings,
    usageSettingsBytes,
} from "../../../components/runtime/gcp/usage-contract";

describe("runtime/gcp usage-contract", () => {
    describe("the ownership record's monitor fields", () => {
        const cases: [string, Parameters<typeof renderUsageSettings>[0], string][] = [
            ["nothing", {}, "{}"],
            ["unused alone", { unusedAfterDays: 90 }, `{"unused":90}`],
            [
                "the default notice is not written",
                { unusedAfterDays: 90, notify: "123", expiryNoticeDays: 14 },
                `{"unused":90,"notify":"123"}`,
            ],
            ["another notice is", { expiryNoticeDays: 30 }, `{"notice":30}`],
            [
                "all four, in order",
                { keyMaxAgeDays: 31, expiryNoticeDays: 7, notify: "9", unusedAfterDays: 1 },
                `{"unused":1,"notify":"9","notice":7,"keyAge":31}`,
            ],
        ];
        for (const [what, settings, json] of cases) {
            it(`${what}: ${json}`, () => {
                assert.strictEqual(JSON.stringify(renderUsageSettings(settings)), json);
            });
        }

        it("take exactly the bytes they add to the description, 70 at most", () => {
            const widest = {
                unusedAfterDays: 400,
                notify: "12345678901234567890",
                expiryNoticeDays: 90,
                keyMaxAgeDays: 400,
            };
            assert.strictEqual(usageSettingsBytes(widest), MAX_USAGE_SETTINGS_BYTES);
            fc.assert(
                fc.property(
                    fc.record({
                        unusedAfterDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
                        notify: fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
                        expiryNoticeDays: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
                        keyMaxAgeDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
                    }),
                    (s) => {
                        const base = { owner: "team", purpose: "p", managedBy: "pulumi-nhi" };
                        const grown =
                            Buffer.byteLength(JSON.stringify({ ...base, ...renderUsageSettings(s) })) -
                            Buffer.byteLength(JSON.stringify(base));
                        assert.strictEqual(usageSettingsBytes(s), grown);
                        assert.ok(grown <= MAX_USAGE_SETTINGS_BYTES);
                    },
                ),
            );
        });
    });

    it("a channel's full name and its parts", () => {
        assert.deepStrictEqual(parseChannelName("projects/my-project/notificationChannels/9876543210"), {
            project: "my-project",
            id: "9876543210",
        });
        // Cloud Monitoring may name a channel with its project's number
        assert.deepStrictEqual(parseChannelName("projects/123456789012/notificationChannels/42"), {
            project: "123456789012",
            id: "42",
        });
        assert.strictEqual(parseChannelName("projects/my-project/notificationChannels/abc"), undefined);
        assert.strictEqual(parseChannelName("projects/My_Project/notificationChannels/42"), undefined);
        assert.strictEqual(parseChannelName("projects/my-project/topics/t"), undefined);
        assert.strictEqual(channelName("my-project", "42"), "projects/my-project/notificationChannels/42");
    });

    it("the secrets' period label is the rotators' own", () => {
        assert.strictEqual(PERIOD_LABEL, "nhi-rotate-every-days");
        assert.notStrictEqual(PERIOD_LABEL, GRACE_LABEL);
    });

    it("the policy filter matches the first part of a channel's digests only", () => {
        assert.strictEqual(
            noticeFilter("my-project", "42"),
            `logName="projects/my-project/logs/nhi-usage-notice" AND labels."nhi-channel"="42" AND labels."nhi-part"="1"`,
        );
    });

    describe("the event", () => {
        it("monitorEvent builds one isMonitorEvent accepts", () => {
            assert.deepStrictEqual(monitorEvent("my-project", "nhi-state-1"), {
                nhiAction: "monitorUsage",
                project: "my-project",
                stateBucket: "nhi-state-1",
                perIdentityMetrics: false,
            });
            assert.strictEqual(isMonitorEvent(monitorEvent("my-project", "nhi-state-1", true)), true);
        });
        const refused: [string, unknown][] = [
            ["null", null],
            ["an array", []],
            [
                "another action",
                { nhiAction: "rotate", project: "my-project", stateBucket: "b-1", perIdentityMetrics: false },
            ],
            [
                "a project number",
                { nhiAction: "monitorUsage", project: "123456789012", stateBucket: "b-1", perIdentityMetrics: false },
            ],
            [
                "a bucket URL",
                {
                    nhiAction: "monitorUsage",
                    project: "my-project",
                    stateBucket: "gs://b-1",
                    perIdentityMetrics: false,
                },
            ],
            [
                "a string flag",
                { nhiAction: "monitorUsage", project: "my-project", stateBucket: "b-1", perIdentityMetrics: "true" },
            ],
            [
                "a field more",
                {
                    nhiAction: "monitorUsage",
                    project: "my-project",
                    stateBucket: "b-1",
                    perIdentityMetrics: false,
                    extra: 1,
                },
            ],
            ["a field less", { nhiAction: "monitorUsage", project: "my-project", stateBucket: "b-1" }],
        ];
        for (const [what, event] of refused) {
            it(`refuses ${what}`, () => assert.strictEqual(isMonitorEvent(event), false));
        }
    });

    it("every permission is in Google's catalogue, sorted, none twice", () => {
        for (const list of Object.values(PERMISSIONS)) {
            assert.deepStrictEqual([...list], [...list].sort());
            for (const p of list) {
                assert.ok(isPermission(p), p);
            }
        }
        const all = Object.values(PERMISSIONS).flat();
        assert.strictEqual(new Set(all).size, all.length);
    });
});
