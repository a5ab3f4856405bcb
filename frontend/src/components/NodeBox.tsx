// One box on the canvas. It reads its own kind, problems and counters from
// the store by id; React Flow's data holds only the kind.
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import { useDesigner } from '../store';
import { COUNTERS } from '../counters';
import type { BoxNode } from '../mapping';

const ICON = { source: '⇥', transform: 'ƒ', destination: '⇤' } as const;

function NodeBoxImpl({ id, data, selected }: NodeProps<BoxNode>) {
  const spec = useDesigner((s) => s.specs[data.kind]);
  const problems = useDesigner(useShallow((s) => s.problems.filter((p) => p.node === id)));
  const counters = useDesigner((s) => s.counters[id]);
  const running = useDesigner((s) => s.run.running);
  const url = useDesigner((s) => s.run.endpoints.find((e) => e.node === id)?.url);
  const cat = spec?.category ?? 'transform';
  const cls = ['box', `cat-${cat}`, selected ? 'selected' : '', problems.length ? 'invalid' : ''].join(' ');
  return (
    <div className={cls} data-testid={`node-${id}`} title={problems.map((p) => p.message).join('\n')}>
      {cat !== 'source' && <Handle type="target" position={Position.Left} data-testid={`in-${id}`} />}
      <div className="box-head">
        <span className="box-icon">{ICON[cat]}</span>
        <span className="box-id">{id}</span>
        {problems.length > 0 && (
          <span className="box-problems" data-testid={`problems-${id}`}>
            {problems.length}
          </span>
        )}
      </div>
      <div className="box-kind">{spec?.title ?? `unknown kind ${data.kind}`}</div>
      {running && (
        <div className="box-counters" data-testid={`counters-${id}`}>
          {COUNTERS[cat].filter(([k]) => counters?.[k] !== undefined).map(([k, label]) => (
            <span key={k} className={`ctr ctr-${k}${counters?.[k] ? ' nonzero' : ''}`} data-testid={`ctr-${id}-${k}`}>
              {label} <b>{counters?.[k] ?? 0}</b>
            </span>
          ))}
        </div>
      )}
      {running && url && (
        <div className="box-url" title={url}>
          {new URL(url).pathname}
        </div>
      )}
      {cat !== 'destination' && <Handle type="source" position={Position.Right} data-testid={`out-${id}`} />}
    </div>
  );
}

export const NodeBox = memo(NodeBoxImpl);
