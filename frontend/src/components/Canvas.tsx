// The React Flow canvas: boxes from the store, drops from the palette.
import { useCallback, useEffect, useMemo, type DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, useReactFlow, type Connection, type EdgeChange, type NodeTypes,
} from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import { useDesigner } from '../store';
import { toEdges } from '../mapping';
import { showRate } from '../counters';
import { NodeBox } from './NodeBox';

export const KIND_MIME = 'application/x-sluice-kind';

const nodeTypes: NodeTypes = { box: NodeBox };

export function Canvas() {
  const { nodes, edges, selectedEdge, counters, rates, running, theme, specs } = useDesigner(
    useShallow((s) => ({
      nodes: s.nodes,
      edges: s.doc.edges,
      selectedEdge: s.selectedEdge,
      counters: s.counters,
      rates: s.rates,
      running: s.run.running,
      theme: s.theme,
      specs: s.specs,
    })),
  );
  const { onNodesChange, connect, removeNodes, removeEdge, selectEdge, addNode } = useDesigner.getState();
  const flow = useReactFlow();
  const loads = useDesigner((s) => s.loads);

  // Fit each loaded document in view (not on every added node, so that
  // drops land where they are dropped).
  useEffect(() => {
    if (loads === 0) return;
    const t = setTimeout(() => void flow.fitView({ maxZoom: 1, duration: 150 }), 50);
    return () => clearTimeout(t);
  }, [loads, flow]);

  const rfEdges = useMemo(
    () =>
      toEdges(edges, selectedEdge).map((e) => {
        const n = counters[e.source]?.out;
        if (!running || n === undefined) return e;
        const rate = showRate(rates[e.source]);
        return { ...e, label: rate ? `${n} · ${rate}` : String(n), animated: true };
      }),
    [edges, selectedEdge, counters, rates, running],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      for (const c of changes) {
        if (c.type === 'select') selectEdge(c.selected ? c.id : null);
        if (c.type === 'remove') removeEdge(c.id);
      }
    },
    [selectEdge, removeEdge],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const kind = e.dataTransfer.getData(KIND_MIME) || e.dataTransfer.getData('text/plain');
      if (!kind) return;
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNode(kind, { x: p.x - 90, y: p.y - 30 });
    },
    [flow, addNode],
  );

  return (
    <div className="canvas" data-testid="canvas" onDrop={onDrop} onDragOver={(e) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }}>
      <ReactFlow
        nodes={nodes}
        edges={rfEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodesDelete={(ns) => removeNodes(ns.map((n) => n.id))}
        onConnect={(c: Connection) => connect(c.source, c.target)}
        colorMode={theme}
        deleteKeyCode={['Delete', 'Backspace']}
        defaultViewport={{ x: 0, y: 0, zoom: 1 }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} />
        <Controls />
        {nodes.length > 0 && <MiniMap pannable zoomable bgColor="var(--bg)" maskColor="rgba(120, 130, 150, 0.18)" nodeColor={(n) => `var(--${specs[(n.data as { kind: string }).kind]?.category ?? 'muted'})`} />}
      </ReactFlow>
      {nodes.length === 0 && (
        <div className="canvas-empty">Drag a source from the palette to start a flow</div>
      )}
    </div>
  );
}
