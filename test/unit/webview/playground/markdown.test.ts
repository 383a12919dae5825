/** Markdown cells drawn simply, and never as HTML the cell's author wrote. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markdownHtml } from '../../../../webview/playground/markdown';

test('headings, paragraphs, lists, code and emphasis', () => {
  assert.equal(
    markdownHtml(
      '# Title\n\nSome *soft* and **bold** `x*y*z`.\nSame paragraph.\n\n- one\n- two\n\n1. first',
    ),
    '<h1>Title</h1>\n<p>Some <em>soft</em> and <strong>bold</strong> <code>x*y*z</code>. Same paragraph.</p>\n' +
      '<ul><li>one</li><li>two</li></ul>\n<ol><li>first</li></ol>',
  );
  assert.equal(markdownHtml('```\na < b\n```'), '<pre><code>a &lt; b</code></pre>');
});

test('HTML in the source is text; only http(s) and fragment links become links', () => {
  assert.equal(
    markdownHtml('<img src=x onerror=alert(1)>'),
    '<p>&lt;img src=x onerror=alert(1)&gt;</p>',
  );
  assert.equal(markdownHtml('[a](javascript:alert(1))'), '<p>[a](javascript:alert(1))</p>');
  assert.equal(
    markdownHtml('[docs](https://keras.io/api/)'),
    '<p><a href="https://keras.io/api/" target="_blank" rel="noopener">docs</a></p>',
  );
});
