/**
 * The usage monitor's entry file: registers `monitorUsage` as an HTTP function with the Functions Framework (Cloud Scheduler's
 * HTTP target calls it), so that its archive holds only the files this entry requires.
 * @see https://cloud.google.com/functions/docs/writing/write-http-functions
 */
import { FUNCTION_ENTRY } from "./usage-contract";
import { createMonitorHandler, HttpRequest, HttpResponse } from "./usage-monitor";

export const ENTRY_POINT = FUNCTION_ENTRY.entryPoint;

// A plain `require` keeps the framework's types (Express) out of the project's type check (see index.ts).
const { http } = require("@google-cloud/functions-framework") as {
    http: (name: string, handler: (req: HttpRequest, res: HttpResponse) => Promise<void>) => void;
};

http(ENTRY_POINT, createMonitorHandler());
