import { execFile } from "child_process";
import * as path from "path";

/** An identity's usage settings as the demo reads them back (scripts/demo/usage.ts, `UsageSettingsReport`). */
export interface UsageSettings {
    unusedAfterDays?: number;
    notify?: string;
    expiryNoticeDays: number;
    expiringFrom?: string;
    quarantineAt?: string;
}

/** What `npm run demo -- --json` prints (scripts/demo.ts, `DemoResult`), as far as these tests read it. */
export interface DemoRun {
    readonly identities: {
        name: string;
        roleArn: string;
        owner: string;
        expiresAt?: string;
        quarantineAt?: string;
        usage: UsageSettings;
        resources: unknown[];
        permissions: { resource: string; actions: string[] }[];
        identityPolicies: unknown[];
        auditQuery: string;
    }[];
    readonly gcpIdentities: any[];
    readonly credentials: {
        name: string;
        kind: string;
        owner: string;
        secretArn: string;
        value?: { length: number; format: string };
        rotateEveryDays: number;
        rotateImmediately: boolean;
        graceDays?: number;
        recoveryWindowInDays: number;
        rotationAlarm?: { notify: string; afterDays: number };
        rotator: {
            mode: string;
            rotatorId?: string;
            functionName: string;
            functionArn: string;
            roleArn: string;
            invokedFor: string;
            permissions: { resource: string; actions: string[] }[];
        };
        readers: { arn: string; identity?: string; actions: string[] }[];
        resourcePolicy: unknown;
        user?: {
            consumer: string;
            name: string;
            arn: string;
            consoleAccess: boolean;
            keysInState: number;
            expiresAt?: string;
            policies: unknown[];
            permissions: { resource: string; actions: string[]; condition?: string }[];
            auditQuery: string;
            usage: UsageSettings;
        };
        resources: { type: string; name: string }[];
        files: string[];
    }[];
    readonly usageMonitor: {
        name: string;
        owner: string;
        schedule: { name: string; expression: string; event: unknown };
        stateTable: string;
        notifyTopics: string[];
        heartbeat: { name: string; periodSeconds: number; treatMissingData: string; actions: string[] };
        watches: unknown[];
        otherManaged: number;
        resources: { type: string; name: string }[];
    };
    readonly gcpUsageMonitor: {
        name: string;
        project: string;
        owner: string;
        schedule: { name: string; cron: string; timeZone: string; region: string; as: string; body: unknown };
        functionName: string;
        runsAs: string;
        stateBucket: string;
        notices: { name: string; channels: string[] }[];
        heartbeat: { name: string; channels: string[]; absence: string };
        bindings: { role: string; permissions?: string[]; scope: string; resource: string }[];
        watches: unknown[];
        otherManaged: number;
        resources: { type: string; name: string }[];
    };
    /** What each notification channel is, by full name. */
    readonly channels: Record<string, string>;
    readonly escalation: { identities: any[]; gcpIdentities: any[] };
    readonly outDir: string;
    readonly text: string;
}

/**
 * Runs the demo as `npm run demo` does, in its own process (test/ does not import scripts/),
 * writing to `outDir`, and returns its report.
 */
export function runDemo(outDir: string): Promise<DemoRun> {
    const root = path.join(__dirname, "..", "..");
    const args = [
        "-r",
        "ts-node/register/transpile-only",
        path.join(root, "scripts", "demo.ts"),
        "--out",
        outDir,
        "--json",
    ];
    return new Promise((resolve, reject) => {
        execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            if (error) {
                reject(new Error(`npm run demo failed: ${error.message}\n${stderr}`));
            } else {
                resolve(JSON.parse(stdout) as DemoRun);
            }
        });
    });
}
