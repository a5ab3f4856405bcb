import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { DiffView } from './DiffView';
import { RerunPane } from './RerunPane';
import { useDesigner } from '../store';

afterEach(() => {
  cleanup();
  delete window.go;
});

describe('DiffView', () => {
  it('highlights changed, added and removed fields and greys the rest', () => {
    render(<DiffView before={{ amount: 1, email: 'A@B.C', old: 1 }} after={{ amount: 1, email: 'a@b.c', tier: 'gold' }} />);
    const rows = screen.getByTestId('diff').querySelectorAll('tbody tr');
    expect([...rows].map((r) => `${r.getAttribute('data-kind')} ${r.textContent}`)).toEqual([
      'same amount11',
      'changed email"A@B.C""a@b.c"',
      'removed old1',
      'added tier"gold"',
    ]);
    expect(screen.getByText('1 changed · 1 added · 1 removed')).toBeTruthy();
  });

  it('can hide unchanged fields', () => {
    render(<DiffView before={{ a: 1 }} after={{ a: 1 }} all={false} />);
    expect(screen.getByText('no field changed')).toBeTruthy();
    expect(screen.getByTestId('diff').querySelector('table')).toBeNull();
  });
});

describe('RerunPane', () => {
  it('runs the recorded input through the current code with the live tester', async () => {
    const transformInput = vi.fn(async () => ({
      event: 'E1', node: 'clean', input: { n: -1 }, status: 'failed', outputs: [], error: 'negative',
    }));
    const test = vi.fn(async () => ({ results: [{ index: 0, outputs: [{ n: 0 }], dropped: false, logs: ['fixed'], millis: 1 }], millis: 1 }));
    window.go = { app: { Runs: { TransformInput: transformInput }, Tester: { Run: test } } };
    useDesigner.setState({
      specs: { python: { kind: 'python', category: 'transform', title: 'Python', summary: '', config: {} } },
      doc: { version: 1, name: 't', nodes: [{ id: 'clean', kind: 'python', config: { code: 'NEW' } }], edges: [] },
    });
    render(<RerunPane event="E1" node="clean" />);
    fireEvent.click(screen.getByTestId('rerun'));
    const now = await screen.findByTestId('rerun-now');
    expect(transformInput).toHaveBeenCalledWith('E1', 'clean');
    expect(test).toHaveBeenCalledWith({ kind: 'python', config: { code: 'NEW' }, events: [{ n: -1 }] });
    expect(now.getAttribute('data-state')).toBe('ok');
    expect(now.textContent).toMatch(/"n": 0/);
    const result = screen.getByTestId('rerun-result');
    expect(within(result).getByText('negative')).toBeTruthy();
    expect(result.querySelector('tr[data-kind=changed]')?.textContent).toMatch(/n-10/);
  });

  it('falls back to a dead letter body and says when the node is gone', async () => {
    window.go = { app: { Runs: { TransformInput: async () => Promise.reject(new Error('no trace')) }, Tester: { Run: vi.fn() } } };
    useDesigner.setState({ doc: { version: 1, name: 't', nodes: [], edges: [] } });
    render(<RerunPane event="E2" node="gone" fallback={{ body: { a: 1 }, reason: 'boom' }} />);
    fireEvent.click(screen.getByTestId('rerun'));
    await waitFor(() => expect(screen.getByText('gone is no longer a transform of this flow')).toBeTruthy());
  });
});
