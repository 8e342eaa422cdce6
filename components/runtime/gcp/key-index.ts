/**
 * The key rotator's entry file: registers `rotateKey` as a CloudEvent function with the Functions Framework, as `index.ts` does for
 * `rotateSecret`, so that each function's archive holds only the files its entry requires.
 * @see https://cloud.google.com/functions/docs/writing/write-event-driven-functions
 */
import { PubsubCloudEvent } from "./rotation";
import { rotateKey } from "./rotate-key";

export const ENTRY_POINT = "rotateKey";

// A plain `require` keeps the framework's types out of the project's type check (see index.ts).
const { cloudEvent } = require("@google-cloud/functions-framework") as {
    cloudEvent: (name: string, handler: (event: PubsubCloudEvent) => Promise<void>) => void;
};

cloudEvent(ENTRY_POINT, async (event) => {
    await rotateKey(event);
});
