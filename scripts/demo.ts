/**
 * `npm run demo`: the quickstart (examples/quickstart) run offline, under Pulumi's mocks. No AWS
 * account, no Google Cloud project, no Pulumi CLI, no build step. Prints, per machine identity, who
 * owns it and why, who may assume or act as it, what it may do, when it expires and which
 * resources it creates, and writes to `out/demo/<identity>/`: for an AWS role, the rendered trust
 * and identity policies; for a Google service account, its role bindings (`bindings.json`) and,
 * when GitHub Actions may act as it, its Workload Identity provider
 * (`workload-identity-provider.json`). Then, per credential (a rotating secret, an access key): where
 * it lives, how often it rotates and with what grace, the function that rotates it and what that
 * function's role may do, who may read it and, for an access key, its IAM user and what the key may
 * do; its folder holds the secret's resource policy (`secret-policy.json`), the rotator's policies
 * (`rotator-policy-<n>.json`) and the user's (`user-policy-<n>.json`). Under each AWS identity, what
 * the usage monitor does about it (idle threshold, topic, expiry notice, quarantine time), then the
 * usage monitor itself: its schedule, state table, topics, heartbeat alarm and the identities it
 * watches. Under each Google identity, the same (idle threshold, notification channel, expiry
 * notice, the time its job disables it), then the Google usage monitor: its job, function, state
 * bucket, the notice policy of each channel, its heartbeat policy, what it may do and the service
 * accounts it watches. Then
 * examples/acknowledged-escalation: identities whose grants escalate privileges, with the reasons
 * their grants acknowledge and where each is recorded.
 *
 * The mocks are those of `pulumi-nhi/testing` (components/testing): a made-up AWS account
 * 123456789012, Google project number 123456789 and physical names such as `invoices-1a2b3c4`, so
 * the output is the same every run.
 */
import * as path from "path";
import { acknowledgedEscalation } from "../examples/acknowledged-escalation/program";
import { quickstart } from "../examples/quickstart/program";
import { MOCK_ACCOUNT, MOCK_PROJECT_NUMBER, Registered, capture, valueOf } from "../components/testing";
import { IdentityReport, formatIdentity, reportIdentity } from "./demo/aws";
import { GcpIdentityReport, describeChannels, formatGcpIdentity, reportGcpIdentity } from "./demo/gcp";
import { GcpUsageMonitorReport, formatGcpUsageMonitor, reportGcpUsageMonitor } from "./demo/gcp-usage";
import { CredentialReport, formatCredential, reportCredential } from "./demo/credentials";
import { UsageMonitorReport, formatUsageMonitor, reportUsageMonitor } from "./demo/usage";

export type { IdentityReport, Permission } from "./demo/aws";
export type { CredentialReader, CredentialReport, RotatorReport } from "./demo/credentials";
export type { GcpActAs, GcpBinding, GcpCondition, GcpIdentityReport, GcpUsageSettingsReport } from "./demo/gcp";
export type { GcpMonitorPolicy, GcpUsageMonitorReport, GcpWatchedIdentity } from "./demo/gcp-usage";
export type { UsageMonitorReport, UsageSettingsReport, WatchedIdentity } from "./demo/usage";

/** Where `npm run demo` writes the policies, relative to the working directory. */
export const DEFAULT_OUT_DIR = path.join("out", "demo");

/** Everything the demo found and wrote. */
export interface DemoResult {
    /** The AWS identities. */
    readonly identities: IdentityReport[];
    /** The Google Cloud identities. */
    readonly gcpIdentities: GcpIdentityReport[];
    /** The credentials: rotating secrets and access keys, generated and rotated in the cloud. */
    readonly credentials: CredentialReport[];
    /** The AWS usage monitor: when it runs, whom it tells, and the identities it watches. */
    readonly usageMonitor: UsageMonitorReport;
    /** The Google usage monitor: when it runs, which channels it notifies, and the service accounts it watches. */
    readonly gcpUsageMonitor: GcpUsageMonitorReport;
    /** What each notification channel of the program is (`email team-reports@example.com`), by full name. */
    readonly channels: Record<string, string>;
    /** The identities of examples/acknowledged-escalation, whose grants escalate with a reason. */
    readonly escalation: { readonly identities: IdentityReport[]; readonly gcpIdentities: GcpIdentityReport[] };
    /** Every resource the quickstart registered. */
    readonly resources: Registered[];
    /** The absolute folder the policies were written to. */
    readonly outDir: string;
    /** The report, as printed by `npm run demo`. */
    readonly text: string;
}

/**
 * Runs the quickstart under the mocks, writes the rendered policies under `outDir` (one folder per
 * identity, replaced if it exists) and returns the report. Does not print.
 */
export async function runDemo(outDir: string = DEFAULT_OUT_DIR): Promise<DemoResult> {
    const { value: qs, resources } = await capture(quickstart);
    const absOut = path.resolve(outDir);

    const identities: IdentityReport[] = [];
    for (const identity of [qs.worker, qs.deployer, qs.paymentsApi, qs.ledgerKeyHandover]) {
        identities.push(await reportIdentity(identity, resources, absOut));
    }

    const channels = await describeChannels([qs.reportsNotices], resources);
    const gcpIdentities: GcpIdentityReport[] = [];
    for (const identity of [qs.renderer, qs.reportsDeployer]) {
        gcpIdentities.push(await reportGcpIdentity(identity, resources, absOut, channels));
    }

    const byRole = new Map(identities.map((id) => [id.roleArn, id.name]));
    const credentials: CredentialReport[] = [];
    for (const credential of [qs.webhookSecret, qs.ledgerVendor]) {
        credentials.push(await reportCredential(credential, resources, byRole, absOut));
    }

    const watches = [
        ...identities.map((id) => ({ name: id.name, kind: "role" as const, ...id.usage })),
        ...credentials.flatMap((c) =>
            c.user === undefined ? [] : [{ name: c.name, kind: "user" as const, ...c.user.usage }],
        ),
    ];
    const usageMonitor = await reportUsageMonitor(qs.usageMonitor, watches, resources);
    const gcpUsageMonitor = await reportGcpUsageMonitor(
        qs.reportsUsageMonitor,
        gcpIdentities.map((id) => ({ name: id.name, ...id.usage })),
        resources,
    );

    const supporting = [
        { label: "invoices bucket", arn: await valueOf(qs.bucket.arn) },
        { label: "invoice worker log group", arn: await valueOf(qs.workerLogs.arn) },
        { label: "invoice events queue", arn: await valueOf(qs.queue.arn) },
        { label: "artifacts bucket", arn: await valueOf(qs.artifacts.arn) },
        { label: "GitHub OIDC provider", arn: await valueOf(qs.githubOidc.arn) },
        { label: "identity notices topic", arn: await valueOf(qs.notices.arn) },
        { label: "reports bucket", arn: await valueOf(qs.reportsBucket.url) },
        { label: "reports artifacts bucket", arn: await valueOf(qs.reportsArtifacts.url) },
        { label: "identity notices channel", arn: await valueOf(qs.reportsNotices.name) },
    ];
    const { value: esc, resources: escResources } = await capture(acknowledgedEscalation);
    const escalation = {
        identities: [await reportIdentity(esc.keyRotator, escResources, absOut)],
        gcpIdentities: [await reportGcpIdentity(esc.imageBuilder, escResources, absOut)],
    };
    const monitors = { aws: usageMonitor, gcp: gcpUsageMonitor, channels };
    const text =
        formatReport(identities, gcpIdentities, credentials, monitors, supporting, resources, absOut, qs.gcpProject) +
        formatEscalation(escalation);
    return {
        identities,
        gcpIdentities,
        credentials,
        usageMonitor,
        gcpUsageMonitor,
        channels: Object.fromEntries(channels),
        escalation,
        resources,
        outDir: absOut,
        text,
    };
}

/** A path for display: relative to the working directory when it is inside it. */
function shown(p: string): string {
    const rel = path.relative(process.cwd(), p);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

function formatReport(
    identities: readonly IdentityReport[],
    gcpIdentities: readonly GcpIdentityReport[],
    credentials: readonly CredentialReport[],
    monitors: { aws: UsageMonitorReport; gcp: GcpUsageMonitorReport; channels: ReadonlyMap<string, string> },
    supporting: readonly { label: string; arn: string }[],
    all: readonly Registered[],
    outDir: string,
    gcpProject: string,
): string {
    const lines: string[] = [];
    const push = (...more: string[]) => lines.push(...more);
    const identityCount = identities.length + gcpIdentities.length;
    const identityResources = [...identities, ...gcpIdentities].reduce((n, id) => n + id.resources.length, 0);
    const credentialResources = credentials.reduce((n, c) => n + c.resources.length, 0);
    // Shared deprovisioners (gcp.Deprovisioner) and what they declare, named after them.
    const deprovisioners = all.filter((r) => r.type === "nhi:gcp:Deprovisioner").map((r) => r.name);
    const deprovisionerResources = all.filter((r) =>
        deprovisioners.some((d) => r.name === d || r.name.startsWith(`${d}-`)),
    ).length;
    const { aws: usageMonitor, gcp: gcpUsageMonitor } = monitors;
    push(
        "pulumi-nhi quickstart: offline demo",
        `Nothing is deployed: this is examples/quickstart run under Pulumi's mocks (made-up AWS account ${MOCK_ACCOUNT},`,
        `Google Cloud project ${gcpProject}, project number ${MOCK_PROJECT_NUMBER}).`,
        "",
        `The program declares ${all.length} resources: ${supporting.length} workload resources, ${identityCount} machine identities (${identityResources} resources, listed under each identity),`,
        `${credentials.length} credentials that rotate themselves (${credentialResources} resources, listed under each credential),`,
        `${deprovisioners.length} shared deprovisioner${deprovisioners.length === 1 ? "" : "s"} (${deprovisionerResources} resources: ${deprovisioners.join(", ")}) that disable${deprovisioners.length === 1 ? "s" : ""} the Google identities at their expiry,`,
        `the usage monitor ${usageMonitor.name} (${usageMonitor.resources.length} resources, listed under it) that tells owners of unused and expiring AWS identities,`,
        `and the usage monitor ${gcpUsageMonitor.name} (${gcpUsageMonitor.resources.length} resources, listed under it) that notifies owners of unused and expiring Google identities.`,
        "",
        "  Workload resources",
    );
    const labelWidth = Math.max(...supporting.map((s) => s.label.length));
    supporting.forEach((s) => push(`    ${s.label.padEnd(labelWidth)}  ${s.arn}`));

    identities.forEach((id) => push(...formatIdentity(id, credentials)));
    gcpIdentities.forEach((id) => push(...formatGcpIdentity(id)));
    push(
        "",
        "Credentials: each value is generated and rotated inside AWS by a function this package ships, on",
        "Secrets Manager's schedule; no value is in any Pulumi input, output or state.",
    );
    credentials.forEach((c) => push(...formatCredential(c)));
    push(
        "",
        "Usage monitoring: once a day a function this package ships reads when each AWS identity was last",
        "used and tells its owner's topic once per change: idle, expiring, expired, rotation stale, ok again.",
    );
    push(...formatUsageMonitor(usageMonitor));
    push(
        "",
        "Twice a day a function this package ships reads when each Google service account was last used",
        "(Policy Analyzer) and notifies its owner's channel once per change: idle, expiring, expired, ok again.",
    );
    push(...formatGcpUsageMonitor(gcpUsageMonitor, monitors.channels));

    push("", `Rendered policies and bindings written to ${shown(outDir)}${path.sep}:`);
    for (const id of [...identities, ...gcpIdentities, ...credentials]) {
        id.files.forEach((f) => push(`  ${shown(f)}`));
    }
    return `${lines.join("\n")}\n`;
}

/** The section of examples/acknowledged-escalation: identities that may escalate, and why. */
function formatEscalation(e: DemoResult["escalation"]): string {
    const lines = [
        "",
        "examples/acknowledged-escalation: grants that let an identity escalate its privileges are refused",
        "unless the grant says why (`acknowledge`); the reason is recorded on the identity.",
        ...e.identities.flatMap((id) => formatIdentity(id)),
        ...e.gcpIdentities.flatMap((id) => formatGcpIdentity(id)),
        "",
        "Their rendered policies and bindings:",
        ...[...e.identities, ...e.gcpIdentities].flatMap((id) => id.files.map((f) => `  ${shown(f)}`)),
    ];
    return `${lines.join("\n")}\n`;
}

/**
 * `npm run demo [-- --out <folder>] [-- --json]`: prints the report, or with `--json` the whole
 * {@link DemoResult} as JSON (what test/examples runs, since test/ does not import scripts/).
 */
async function main(argv: readonly string[]): Promise<void> {
    const at = argv.indexOf("--out");
    const result = await runDemo(at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : DEFAULT_OUT_DIR);
    process.stdout.write(argv.includes("--json") ? `${JSON.stringify(result)}\n` : result.text);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((e: unknown) => {
        process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 1;
    });
}
