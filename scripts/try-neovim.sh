#!/bin/sh
# A real LSP client other than VS Code: Neovim's built-in client (Debian's 0.7.2, headless) starts
# `rnnlab server --stdio`, opens a Keras file and must receive the DR101 diagnostic, a hover and
# the quick fixes. Run by hand (`sh scripts/try-neovim.sh`); needs nvim (apt-get install -y neovim).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v nvim >/dev/null 2>&1; then
  echo "try-neovim: nvim is not installed; install it (apt-get install -y neovim) and run again" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/model.py" <<'PY'
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(50, 128)),
    layers.Dropout(0.3),
    layers.LSTM(64),
    layers.Dense(1, activation="sigmoid"),
])
PY

cat > "$tmp/check.lua" <<'LUA'
local root = os.getenv('RNNLAB_ROOT')
local out = function(s) io.stdout:write(s .. '\n') end
-- With -u NONE nothing sets the filetype, and Neovim sends it as the document's languageId.
vim.cmd('filetype on')
vim.cmd('edit model.py')
local bufnr = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'rnnlab',
  -- `rnnlab server --stdio` from the working copy (an installed rnnlab: { 'rnnlab', 'server', '--stdio' }).
  cmd = { 'node', '--import', 'tsx', root .. '/cli/index.ts', 'server', '--stdio' },
  cmd_cwd = root,
  root_dir = vim.fn.getcwd(),
})
if not id then out('FAIL: the client did not start'); os.exit(1) end
vim.lsp.buf_attach_client(bufnr, id)
out('neovim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch)

local got = vim.wait(30000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
local found = false
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
  out(string.format('diagnostic %d:%d [%s %s] %s', d.lnum + 1, d.col + 1, d.source, code, d.message))
  if code == 'DR101' and d.lnum == 5 then found = true end
end
if not got then out('no diagnostics within 30 s') end

local uri = vim.uri_from_bufnr(bufnr)
local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
  { textDocument = { uri = uri }, position = { line = 6, character = 12 } }, 10000)
for _, r in pairs(hover or {}) do
  if r.result then out('hover: ' .. r.result.contents.value:gsub('\n.*', '')) end
end
local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri },
  range = { start = { line = 5, character = 8 }, ['end'] = { line = 5, character = 8 } },
  context = { diagnostics = {} },
}, 10000)
for _, r in pairs(actions or {}) do
  for _, a in ipairs(r.result or {}) do
    out('code action: ' .. a.title .. (a.isPreferred and ' (preferred)' or ''))
  end
end

vim.lsp.stop_client(id)
out(found and 'OK: DR101 arrived on line 6' or 'FAIL: no DR101 diagnostic on line 6')
os.exit(found and 0 or 1)
LUA

cd "$tmp"
RNNLAB_ROOT="$root" nvim --headless -n -u NONE -i NONE -c 'luafile check.lua'
