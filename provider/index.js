/**
 * The entry of the plugin `nhi`, which the nodejs language host loads (this folder's package.json
 * `main`) with the engine's address as argument: it serves the compiled provider of pulumi-nhi.
 *
 * - In the npm package (`node_modules/pulumi-nhi/provider`) and in a checkout after `npm run
 *   build`: the build beside this folder, `../bin/provider`.
 * - Fetched from git by `pulumi package add <repository>/provider@<tag>`, which runs `npm install`
 *   here (the sources hold no build): the npm package `pulumi-nhi` that package.json names.
 *
 * It exports the serving promise and no component class: the language host hands a module that
 * exports components to `componentProviderHost`, which cannot serve ours (components/provider).
 */
const fs = require("fs");
const path = require("path");

const built = path.join(__dirname, "..", "bin", "provider", "index.js");
const { serve } = fs.existsSync(built) ? require(built) : require("pulumi-nhi/provider");
module.exports = serve(process.argv.slice(2));
