import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { capture } from "../../components/testing";

/** One bad input a new user might try, with the exact problem it must report. */
export interface BadInput {
    /** What is wrong, for the test's title. */
    what: string;
    /** The component's name, when the name itself is the problem. */
    name?: string;
    args: any;
    path: string;
    reason: string;
}

/** The fixed "now" of the bad-input tables, so that messages quoting it are exact. */
export const TABLE_NOW = new Date("2026-11-25T00:00:00Z");

/**
 * One test per row of `table`: planning the identity with the row's arguments throws one
 * `InputPropertiesError` with exactly the row's problem, in a message that starts with the
 * component's subject (`AwsServiceIdentity "worker" has 1 invalid argument:`).
 */
export function itRefusesEach(
    table: readonly BadInput[],
    component: string,
    defaultName: string,
    plan: (name: string, args: any, now: Date) => unknown,
): void {
    for (const c of table) {
        it(`refuses ${c.what}`, () => {
            // GIVEN arguments with exactly one problem
            // WHEN the identity is planned
            // THEN one InputPropertiesError names the property and says what is allowed
            const name = c.name ?? defaultName;
            assert.throws(
                () => plan(name, c.args, TABLE_NOW),
                (e: any) => {
                    assert.ok(pulumi.InputPropertiesError.isInstance(e), `expected InputPropertiesError, got ${e}`);
                    assert.deepStrictEqual(e.errors, [{ propertyPath: c.path, reason: c.reason }]);
                    assert.strictEqual(
                        e.message,
                        `${component} "${name}" has 1 invalid argument:\n  - ${c.path}: ${c.reason}`,
                    );
                    return true;
                },
            );
        });
    }
}

/**
 * A test that declaring a rejected identity under the mocks throws `InputPropertiesError` and
 * registers no resource at all, not even the component.
 */
export function itRegistersNothingWhenRefused(declare: () => unknown): void {
    it("registers nothing when it refuses an identity", async () => {
        let thrown: unknown;
        const { resources } = await capture(() => {
            try {
                declare();
            } catch (e) {
                thrown = e;
            }
        });
        assert.ok(pulumi.InputPropertiesError.isInstance(thrown), `expected InputPropertiesError, got ${thrown}`);
        assert.deepStrictEqual(resources, []);
    });
}
