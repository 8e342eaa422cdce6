/**
 * The function's entry file: registers `rotateSecret` as a CloudEvent function with the Functions Framework, which is how a
 * Node.js Cloud Run function (2nd gen) receives events; the deployed entry point is `rotateSecret`.
 * @see https://cloud.google.com/functions/docs/writing/write-event-driven-functions
 */
import { PubsubCloudEvent, rotateSecret } from "./rotate-secret";

export const ENTRY_POINT = "rotateSecret";

// A plain `require` keeps the framework's types (Express, CloudEvents) out of the project's type check; the packaging test
// registers and calls the handler through the pinned framework.
const { cloudEvent } = require("@google-cloud/functions-framework") as {
    cloudEvent: (name: string, handler: (event: PubsubCloudEvent) => Promise<void>) => void;
};

cloudEvent(ENTRY_POINT, async (event) => {
    await rotateSecret(event);
});
