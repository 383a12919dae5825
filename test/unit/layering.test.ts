/**
 * The layering of docs/ARCHITECTURE.md is enforced by ESLint (eslint.config.mjs, LAYERS): each
 * folder importing a folder it may not is a lint error. This test adds such an import to each
 * folder, through ESLint itself, and expects the error; the allowed arrows must stay clean.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { LAYERS } from '../../eslint.config.mjs';

const eslint = new ESLint();
const FOLDERS = Object.keys(LAYERS);

/** The no-restricted-imports messages ESLint gives a probe file in `folder` importing `spec`. */
async function restricted(folder: string, spec: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { probe } from '${spec}';\nexport { probe };\n`, {
    filePath: join(folder, 'layering-probe.ts'),
  });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('folder layering', () => {
  for (const folder of FOLDERS) {
    const spec = LAYERS[folder]!;
    test(`${folder}/ may import ${spec.may.join(', ') || 'no other product folder'}`, async () => {
      for (const other of FOLDERS) {
        if (other === folder) continue;
        const messages = await restricted(folder, `../${other}/session`);
        const nested = await restricted(`${folder}/inner`, `../../${other}/deep/module`);
        if (spec.may.includes(other)) {
          assert.deepEqual(messages, [], `${folder} -> ${other} is an allowed arrow`);
          assert.deepEqual(nested, [], `${folder}/inner -> ${other} is an allowed arrow`);
        } else {
          assert.equal(messages.length, 1, `${folder} -> ${other} must be a lint error`);
          assert.equal(nested.length, 1, `${folder}/inner -> ${other} must be a lint error`);
        }
      }
    });
  }

  test('only extension/ may import vscode', async () => {
    for (const folder of FOLDERS) {
      const messages = await restricted(folder, 'vscode');
      assert.equal(messages.length, folder === 'extension' ? 0 : 1, folder);
    }
  });

  test('pure folders do no I/O and run no models', async () => {
    for (const folder of FOLDERS) {
      const io = await restricted(folder, 'node:fs');
      const tfjs = await restricted(folder, '@tensorflow/tfjs-core');
      const pure = LAYERS[folder]!.pure;
      assert.equal(io.length, pure ? 1 : 0, `${folder} node:fs`);
      assert.equal(tfjs.length, pure ? 1 : 0, `${folder} tfjs`);
    }
  });

  test('webview/ sees the kernel protocol, the masks output, the formatters and the downsampler, nothing else of those folders', async () => {
    assert.deepEqual(await restricted('webview', '../kernels/protocol'), []);
    assert.deepEqual(await restricted('webview', '../kernels/mask-output'), []);
    assert.equal((await restricted('webview', '../kernels/mask-svg')).length, 1);
    assert.deepEqual(await restricted('webview/charts', '../../analyzer/format'), []);
    assert.deepEqual(await restricted('webview', '../analyzer/downsample'), []);
    assert.equal((await restricted('webview', '../kernels/session')).length, 1);
    assert.equal((await restricted('webview', '../analyzer/graph')).length, 1);
  });

  test('the kernel does not import the linter (it once did, for two graph queries)', async () => {
    assert.equal((await restricted('kernels', '../lint/model')).length, 1);
  });

  test('every module of extension/ is the VS Code surface: it imports vscode', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? files(join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [join(dir, e.name)]
            : [],
      );
    const pure = files('extension').filter((f) => !/from 'vscode'/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      pure,
      [],
      'modules without vscode belong in analyzer/, lint/, notebook/, kernels/ or server/',
    );
  });
});
