// The side panel: the selected node's settings (a form from its schema,
// the code editor and live test for transforms with code, the delivery
// settings of destinations), or the flow itself when nothing is selected.
import { useMemo, useState } from 'react';
import { useDesigner } from '../store';
import { edgeId } from '../mapping';
import { codeField, fieldProblems } from '../schema';
import { SchemaForm } from './SchemaForm';
import { CodeEditor, type LineError } from './CodeEditor';
import { TestPane } from './TestPane';
import { FlowPanel } from './FlowPanel';
import { QueuePanel } from './QueuePanel';
import { EventsPanel } from './EventsPanel';
import { TransformDead } from './TransformDead';
import { NodeCharts } from './RunCharts';

export function Inspector() {
  const selected = useDesigner((s) => {
    const sel = s.nodes.filter((n) => n.selected);
    return sel.length === 1 ? sel[0]!.id : null;
  });
  const edge = useDesigner((s) => s.selectedEdge);
  return (
    <aside className="inspector" data-testid="inspector">
      {selected ? <NodePanel key={selected} id={selected} /> : edge ? <EdgePanel key={edge} id={edge} /> : <FlowPanel />}
    </aside>
  );
}

function EdgePanel({ id }: { id: string }) {
  const edge = useDesigner((s) => s.doc.edges.find((e) => edgeId(e) === id));
  const fromTransform = useDesigner((s) => {
    const n = s.doc.nodes.find((x) => x.id === edge?.from);
    return n ? s.specs[n.kind]?.category === 'transform' : false;
  });
  const { setRoute, removeEdge } = useDesigner.getState();
  const [route, setRouteText] = useState(edge?.route ?? '');
  if (!edge) return null;
  return (
    <div className="panel">
      <header className="panel-head">
        <span className="pill">edge</span>
        <h2>
          {edge.from} → {edge.to}
        </h2>
      </header>
      {fromTransform && (
        <label className="field">
          <span className="label">Route</span>
          <input
            value={route}
            placeholder="every output"
            onChange={(e) => setRouteText(e.target.value)}
            onBlur={() => setRoute(id, route.trim())}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
          <span className="hint">Only outputs the transform labels with this route take this edge; empty: every output.</span>
        </label>
      )}
      <p>
        <button type="button" className="danger" onClick={() => removeEdge(id)}>Delete edge</button>
      </p>
    </div>
  );
}

function NodePanel({ id }: { id: string }) {
  const node = useDesigner((s) => s.doc.nodes.find((n) => n.id === id));
  const spec = useDesigner((s) => (node ? s.specs[node.kind] : undefined));
  const delivery = useDesigner((s) => s.catalog?.delivery);
  const problems = useDesigner((s) => s.problems);
  const test = useDesigner((s) => s.tests[id]);
  const running = useDesigner((s) => s.run.running);
  const { setSection, renameNode, runTest } = useDesigner.getState();
  const [name, setName] = useState(id);

  const cfgProblems = useMemo(() => fieldProblems(problems, id, 'config'), [problems, id]);
  const delProblems = useMemo(() => fieldProblems(problems, id, 'delivery'), [problems, id]);
  const general = problems.filter((p) => p.node === id && !p.field?.startsWith('config') && !p.field?.startsWith('delivery'));
  const errors = useMemo<LineError[]>(() => {
    const out: LineError[] = [];
    if (test?.build_error?.line) out.push({ line: test.build_error.line, message: test.build_error.message });
    for (const r of test?.results ?? []) {
      if (r.error?.line) out.push({ line: r.error.line, message: `event #${r.index + 1}: ${r.error.message}` });
    }
    return out;
  }, [test]);

  if (!node) return null;
  if (!spec) return <p className="problem">Unknown kind {node.kind}</p>;
  const code = codeField(spec.config);
  const codeValue = node.config?.[code ?? ''];

  return (
    <div className="panel">
      <header className="panel-head">
        <span className={`pill cat-${spec.category}`}>{spec.category}</span>
        <h2>{spec.title}</h2>
      </header>
      <p className="hint">{spec.summary}</p>
      <label className="field">
        <span className="label">Node id</span>
        <input
          data-testid="node-id"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => (name.trim() && name !== id ? renameNode(id, name.trim()) : setName(id))}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
        />
      </label>
      {general.length > 0 && (
        <ul className="problems" data-testid="node-problems">
          {general.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
      {code && (
        <div className="field code-field" data-field={code}>
          <span className="label">
            {spec.config.properties?.[code]?.title ?? code}
            {spec.config.required?.includes(code) && <span className="req">*</span>}
          </span>
          <CodeEditor
            testId="code-editor"
            value={typeof codeValue === 'string' ? codeValue : ''}
            onChange={(v) => setSection(id, 'config', { ...(node.config ?? {}), [code]: v })}
            errors={errors}
            minHeight="200px"
            onSubmit={spec.category === 'transform' ? () => void runTest(id) : undefined}
          />
          {(cfgProblems.get(`config.${code}`) ?? []).map((m, i) => (
            <span key={i} className="problem">{m}</span>
          ))}
        </div>
      )}
      {spec.category === 'transform' && <TestPane id={id} />}
      {spec.category === 'transform' && running && <TransformDead id={id} />}
      {spec.category === 'destination' && running && <QueuePanel id={id} />}
      {running && <NodeCharts id={id} />}
      {running && <EventsPanel node={id} />}
      <h4>Settings</h4>
      <SchemaForm
        schema={spec.config}
        value={node.config}
        onChange={(v) => setSection(id, 'config', v)}
        problems={cfgProblems}
        path="config"
        skip={code ? [code] : []}
      />
      {spec.category === 'destination' && delivery && (
        <details className="group" open={delProblems.size > 0 || node.delivery !== undefined}>
          <summary>Delivery: retries, rate, maintenance, dead letters</summary>
          <SchemaForm schema={delivery} value={node.delivery} onChange={(v) => setSection(id, 'delivery', v)} problems={delProblems} path="delivery" />
        </details>
      )}
      {spec.doc && (
        <details className="group">
          <summary>About {spec.kind}</summary>
          <pre className="doc">{spec.doc}</pre>
        </details>
      )}
    </div>
  );
}
