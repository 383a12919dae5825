/**
 * The hover on a layer's constructor: output shape, parameter count, name, what its dropout mask
 * is under each framework, and findings. Pure.
 */
import type { Analysis, LayerNode } from '../analyzer/graph';
import { RULES_BY_CODE } from '../lint/catalog';
import type { Finding, Severity } from '../lint/types';
import { layerParams } from '../analyzer/shapes';
import { thousands } from '../analyzer/summary';
import { shapesLabel } from './hints';
import { maskMarkdown } from './masks';

/** At most this many layers built at one place (by a loop) are described. */
export const MAX_HOVER_LAYERS = 5;

/** The layers whose constructor's callee (`layers.LSTM`) holds the offset (its end included). */
export function layersAt(analysis: Analysis, offset: number): LayerNode[] {
  return analysis.layers.filter((l) => l.site.callee.from <= offset && offset <= l.site.callee.to);
}

/** `LSTM → (None, 50, 64) · 17,408 params`; shape and count as far as they are known. */
export function layerHeader(layer: LayerNode): string {
  if (layer.calls.length === 0) return layer.type;
  const shape = shapesLabel(layer.calls) ?? '?';
  // The summary's own count (a tensor of unknown rank whose last axis is known still counts).
  const p = layerParams(layer);
  const total = p ? p.trainable + p.nonTrainable : null;
  const params = total === null ? '? params' : `${thousands(total)} param${total === 1 ? '' : 's'}`;
  return `${layer.type} → ${shape} · ${params}`;
}

/** The findings that belong to a layer: anchored at its constructor, or inside its call. */
export function findingsOn(layer: LayerNode, findings: readonly Finding[]): Finding[] {
  const site = layer.site;
  return findings.filter(
    (f) =>
      f.anchor === site.callee.from || (f.span.from >= site.span.from && f.span.to <= site.span.to),
  );
}

/** Escapes text for Markdown (messages quote code such as `[0, 1)` and `noise_shape`). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, '\\$&');
}

const ICONS: Record<Severity, string> = {
  error: '$(error)',
  warning: '$(warning)',
  info: '$(info)',
};

function describe(analysis: Analysis, layer: LayerNode): string {
  const code = '`' + layerHeader(layer) + '`';
  const models = analysis.models.filter((m) => m.layers.includes(layer)).map((m) => m.name);
  const owner = analysis.layers.find((l) => l.inner === layer || l.backward === layer);
  let where = '';
  if (owner) where = ` inside \`${owner.name}\``;
  else if (models.length > 0) where = ` of model ${models.map((n) => `\`${n}\``).join(', ')}`;
  else if (layer.calls.length === 0) where = ' (not applied to any input)';
  const mask = maskMarkdown(layer, owner ?? null);
  return `${code}\n\nLayer \`${layer.name}\`${where}${mask ? `\n\n${mask}` : ''}`;
}

/**
 * The hover's Markdown (with `$(icon)` theme icons): one block per layer built at the place, then
 * the findings on them, each code linked through `explainLink` to its documentation. A finding is
 * named by its rule, not by its message: the editor shows the diagnostic's message in the same
 * hover, and the text must not appear twice.
 */
export function hoverMarkdown(
  analysis: Analysis,
  layers: readonly LayerNode[],
  findings: readonly Finding[],
  explainLink: (code: string) => string,
): string {
  if (layers.length === 0) return '';
  const blocks = layers.slice(0, MAX_HOVER_LAYERS).map((l) => describe(analysis, l));
  if (layers.length > MAX_HOVER_LAYERS) {
    const more = layers.length - MAX_HOVER_LAYERS;
    blocks.push(`… and ${more} more layer${more === 1 ? '' : 's'} built here`);
  }
  const seen = new Set<Finding>();
  const lines: string[] = [];
  for (const layer of layers) {
    for (const f of findingsOn(layer, findings)) {
      if (seen.has(f)) continue;
      seen.add(f);
      const rule = RULES_BY_CODE.get(f.code);
      lines.push(
        `${ICONS[f.severity]} [${f.code}](${explainLink(f.code)}) ${escapeMarkdown(rule?.name ?? '')}`,
      );
    }
  }
  let out = blocks.join('\n\n');
  if (lines.length > 0) out += '\n\n---\n\n' + lines.join('\n\n');
  return out;
}
