/** Small pure pieces of the server's features. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileName } from '../../../server/features';

describe('fileName', () => {
  test("the last segment of a URI's path, decoded, without scheme, query or fragment", () => {
    assert.equal(fileName('file:///work/notebooks/forecast.ipynb'), 'forecast.ipynb');
    assert.equal(fileName('file:///work/my%20model.py'), 'my model.py');
    assert.equal(fileName('untitled:Untitled-1.rnnlab'), 'Untitled-1.rnnlab');
    assert.equal(fileName('vscode-vfs://github/o/r/train.py?ref=main#x'), 'train.py');
    assert.equal(fileName('file:///c%3A/work/bad%E0.py'), 'bad%E0.py', 'undecodable: as it is');
  });
});
