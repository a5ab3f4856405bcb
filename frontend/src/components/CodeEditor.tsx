// CodeMirror 6 with Python highlighting; errors (from a live test) are
// marked on their lines.
import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { EditorView, keymap } from '@codemirror/view';
import { EditorState, Prec } from '@codemirror/state';
import { indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

export interface LineError {
  line: number;
  message: string;
}

interface Props {
  value: string;
  onChange: (v: string) => void;
  errors?: LineError[];
  testId?: string;
  minHeight?: string;
  /** Ctrl+Enter (Cmd+Enter) in the editor. */
  onSubmit?: () => void;
}

const theme = EditorView.theme({
  '&': { backgroundColor: 'var(--code-bg)', color: 'var(--text)', fontSize: '13px', border: '1px solid var(--border)', borderRadius: '6px' },
  '&.cm-focused': { outline: '2px solid var(--accent)' },
  '.cm-gutters': { backgroundColor: 'var(--code-gutter)', color: 'var(--muted)', border: 'none' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'var(--code-active)' },
  '.cm-content': { fontFamily: 'var(--mono)', caretColor: 'var(--text)' },
  '.cm-scroller': { fontFamily: 'var(--mono)' },
});

// Token colours are CSS variables, so the editor follows the light and dark
// themes defined in styles.css.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--hl-keyword)', fontWeight: '600' },
  { tag: [t.string, t.special(t.string)], color: 'var(--hl-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--hl-number)' },
  { tag: [t.comment, t.lineComment], color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.definition(t.variableName)), t.definition(t.variableName)], color: 'var(--hl-function)' },
  { tag: [t.propertyName, t.attributeName], color: 'var(--hl-property)' },
  { tag: [t.className, t.typeName, t.standard(t.variableName)], color: 'var(--hl-type)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--hl-punct)' },
]);

export function CodeEditor({ value, onChange, errors = [], testId, minHeight = '180px', onSubmit }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  change.current = onChange;
  const submit = useRef(onSubmit);
  submit.current = onSubmit;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          Prec.highest(keymap.of([
            indentWithTab,
            {
              key: 'Mod-Enter',
              run: () => {
                if (!submit.current) return false;
                submit.current();
                return true;
              },
            },
          ])),
          python(),
          syntaxHighlighting(highlight),
          EditorView.lineWrapping, // the side panel is narrow: wrap rather than scroll sideways
          lintGutter(),
          theme,
          EditorView.theme({ '.cm-content, .cm-gutter': { minHeight } }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) change.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; value changes are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const doc = v.state.doc;
    const diags: Diagnostic[] = errors
      .filter((e) => e.line >= 1 && e.line <= doc.lines)
      .map((e) => {
        const l = doc.line(e.line);
        return { from: l.from, to: Math.max(l.from, l.to), severity: 'error', message: e.message };
      });
    v.dispatch(setDiagnostics(v.state, diags));
  }, [errors]);

  return <div className="code" ref={host} data-testid={testId} />;
}
