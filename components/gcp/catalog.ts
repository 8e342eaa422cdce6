import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/**
 * The Google Cloud role catalogue the package ships (`data/gcp/roles.json.gz`, derived from
 * iam-dataset, MIT; see `data/gcp/ATTRIBUTION.md`): every predefined role with its title, launch
 * stage and permissions. Read synchronously once per process, on first use, so that a component
 * can validate before it registers anything.
 */

/** One predefined role. */
export interface RoleInfo {
    readonly name: string;
    readonly title: string;
    /** GA, BETA, ALPHA or DEPRECATED. */
    readonly stage: string;
    readonly permissions: readonly string[];
}

/** The basic roles: project-wide and far too broad for a machine identity. */
export const BASIC_ROLES: readonly string[] = ["roles/owner", "roles/editor", "roles/viewer"];

interface Catalogue {
    readonly roles: ReadonlyMap<string, RoleInfo>;
    readonly permissions: ReadonlySet<string>;
}

let catalogue: Catalogue | undefined;

/** The folder of the shipped data: `data/` at the package root, two levels above this file. */
const DATA_FILE = path.join(__dirname, "..", "..", "data", "gcp", "roles.json.gz");

function load(): Catalogue {
    if (catalogue === undefined) {
        const raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(DATA_FILE)).toString("utf8")) as {
            permissions: string[];
            roles: Record<string, [string, string, number[]]>;
        };
        const roles = new Map<string, RoleInfo>();
        for (const [name, [title, stage, indexes]] of Object.entries(raw.roles)) {
            roles.set(name, { name, title, stage, permissions: indexes.map((i) => raw.permissions[i]) });
        }
        catalogue = { roles, permissions: new Set(raw.permissions) };
    }
    return catalogue;
}

/** The predefined role `name` (`roles/storage.objectViewer`), or undefined. */
export function findRole(name: string): RoleInfo | undefined {
    return load().roles.get(name);
}

/** Every predefined role name. */
export function roleNames(): Iterable<string> {
    return load().roles.keys();
}

/** Whether `permission` (`storage.objects.get`) is a permission of some predefined role. */
export function isPermission(permission: string): boolean {
    return load().permissions.has(permission);
}

/** Every permission that some predefined role holds. */
export function permissionNames(): Iterable<string> {
    return load().permissions;
}
