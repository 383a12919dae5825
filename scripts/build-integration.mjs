// Builds what F5 "Extension Tests" (.vscode/launch.json) runs in a desktop VS Code: the bundled
// integration suites in <out>/integration (index.js is the extensionTestsPath) and the workspace
// they open in <out>/workspace. Default <out>: dist/test. Usage: node scripts/build-integration.mjs [--out DIR]
import path from 'node:path';
import { bundleSuites, prepareWorkspace } from '../test/integration/bundle.mjs';

const at = process.argv.indexOf('--out');
const out = path.resolve(at > 0 ? process.argv[at + 1] : path.join('dist', 'test'));
await bundleSuites(path.join(out, 'integration'));
prepareWorkspace(path.join(out, 'workspace'));
console.log(`built the integration suites into ${path.join(out, 'integration')}`);
