// Runs one of the package's processes from its compiled JavaScript (dist/, written by `npm run build`; the
// published package always has it). In a checkout that was never built, it says so instead of a bare
// "Cannot find module"; `npm run <script>` runs the TypeScript sources there.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

module.exports = function launch(entry, script) {
  const file = join(__dirname, '..', 'dist', entry);
  if (!existsSync(file)) {
    console.error(`${file} is missing: run \`npm run build\` first, or \`npm run ${script}\` to run the sources`);
    process.exit(1);
  }
  require(file);
};
