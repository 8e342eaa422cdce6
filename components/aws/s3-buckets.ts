/**
 * The names of S3 general purpose buckets in grant ARNs: what AWS allows, and the closest valid
 * name to suggest when a name breaks the rules.
 */

/** An S3 bucket or object ARN: `arn:<partition>:s3:::<bucket>[/<key>]`. */
const S3_ARN = /^(arn:aws[a-z-]*:s3:::)([^/]*)(.*)$/;
/**
 * AWS's bucket naming rules for general purpose buckets: 3–63 characters; lower-case letters,
 * digits, dots and hyphens; beginning and ending with a letter or digit; no two adjacent dots; not
 * an IP address; not a reserved prefix or suffix.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export const MIN_BUCKET_CHARS = 3;
export const MAX_BUCKET_CHARS = 63;
const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"];

/**
 * Why the S3 ARN `resource` does not name a valid bucket, or undefined when it does (or is not an S3
 * bucket or object ARN). In a pattern, `*` and `?` stand for characters the rules allow, so only
 * the literal characters are judged: `arn:aws:s3:::team-*-logs/*` is fine.
 */
export function s3BucketProblem(at: string, resource: string): string | undefined {
    const m = S3_ARN.exec(resource);
    if (m === null) {
        return undefined;
    }
    const [, prefix, bucket, rest] = m;
    const reasons = bucketNameReasons(bucket);
    if (reasons.length === 0) {
        return undefined;
    }
    const suggestion = closestBucketName(bucket);
    const hint = suggestion === undefined ? "" : ` Did you mean \`${prefix}${suggestion}${rest}\`?`;
    return `\`${at}\` names the S3 bucket \`${bucket}\`, which ${reasons.length > 1 ? `${reasons.slice(0, -1).join(", ")} and ${reasons[reasons.length - 1]}` : reasons[0]}. Bucket names are ${MIN_BUCKET_CHARS}–${MAX_BUCKET_CHARS} lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit (AWS's bucket naming rules).${hint}`;
}

/** The rules `bucket` breaks, as phrases (`has upper-case letters`), empty when it is valid. */
function bucketNameReasons(bucket: string): string[] {
    const reasons: string[] = [];
    const pattern = /[*?]/.test(bucket);
    const literal = bucket.replace(/\*/g, "");
    if (!pattern && (bucket.length < MIN_BUCKET_CHARS || bucket.length > MAX_BUCKET_CHARS)) {
        reasons.push(`is ${bucket.length} characters`);
    } else if (pattern && literal.length > MAX_BUCKET_CHARS) {
        reasons.push(`is at least ${literal.length} characters`);
    }
    if (/[A-Z]/.test(bucket)) {
        reasons.push("has upper-case letters");
    }
    const others = [...new Set(bucket.replace(/[a-zA-Z0-9.*?-]/g, ""))];
    if (others.length > 0) {
        reasons.push(`has ${others.map((c) => `\`${c}\``).join(", ")}`);
    }
    if (/^[^a-zA-Z0-9*?]/.test(bucket) || /[^a-zA-Z0-9*?]$/.test(bucket)) {
        reasons.push("does not begin and end with a letter or digit");
    }
    if (bucket.includes("..")) {
        reasons.push("has two adjacent dots");
    }
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bucket)) {
        reasons.push("is formatted as an IP address");
    }
    const reservedPrefix = RESERVED_BUCKET_PREFIXES.find((p) => bucket.startsWith(p));
    if (reservedPrefix !== undefined) {
        reasons.push(`starts with the reserved prefix \`${reservedPrefix}\``);
    }
    const reservedSuffix = RESERVED_BUCKET_SUFFIXES.find((p) => bucket.endsWith(p));
    if (reservedSuffix !== undefined) {
        reasons.push(`ends with the reserved suffix \`${reservedSuffix}\``);
    }
    return reasons;
}

/**
 * The valid bucket name closest to `bucket`: lower-cased, each other character (`_`, space) made
 * `-`, adjacent dots made one, ends trimmed to a letter or digit. Undefined when that is not valid.
 */
export function closestBucketName(bucket: string): string | undefined {
    const candidate = bucket
        .toLowerCase()
        .replace(/[^a-z0-9.*?-]/g, "-")
        .replace(/\.{2,}/g, ".")
        .replace(/^[^a-z0-9*?]+/, "")
        .replace(/[^a-z0-9*?]+$/, "")
        .slice(0, MAX_BUCKET_CHARS)
        .replace(/[^a-z0-9*?]+$/, "");
    return candidate !== bucket && bucketNameReasons(candidate).length === 0 ? candidate : undefined;
}
