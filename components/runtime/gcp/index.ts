/**
 * The function's entry file: registers `rotateSecret` as a CloudEvent function with the Functions Framework, which is how a
 * Node.js Cloud Run function (2nd gen) receives events; the deployed entry point is `rotateSecret`.
 * @see https://cloud.google.com/functions/docs/writing/write-event-driven-functions
 */
import { cloudEvent, CloudEventFunction } from "@google-cloud/functions-framework";
import { PubsubCloudEvent, rotateSecret } from "./rotate-secret";

export const ENTRY_POINT = "rotateSecret";

const handler: CloudEventFunction<PubsubCloudEvent["data"]> = async (event) => {
    await rotateSecret(event);
};
cloudEvent(ENTRY_POINT, handler);
