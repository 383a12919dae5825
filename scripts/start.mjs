// `npm start`: build, then lint and summarise the bundled examples (findings are the point here,
// so their exit code does not fail the command).
import { spawnSync } from 'node:child_process';

const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;
if (run(['scripts/build.mjs']) !== 0) process.exit(1);
console.log('\n== rnnlab lint examples\n');
const lint = run(['dist/cli.js', 'lint', 'examples']);
console.log('\n== rnnlab summary examples\n');
const summary = run(['dist/cli.js', 'summary', 'examples']);
process.exit(lint === 2 || summary !== 0 ? 1 : 0);
