// Mocha's spec reporter, closed by one plain summary line that CI reads: "N passed, N failed",
// after "newest: " in the run on the newest @pulumi/pulumi (newest/test.js sets NHI_PULUMI_SDK).
const Mocha = require("mocha");

class SpecWithSummary extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats;
            const run = process.env.NHI_PULUMI_SDK ? `${process.env.NHI_PULUMI_SDK}: ` : "";
            process.stdout.write(
                `\n${run}${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}\n`,
            );
        });
    }
}

module.exports = SpecWithSummary;
