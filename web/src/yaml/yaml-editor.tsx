import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import type { Diagnostic } from '@codemirror/lint';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { YamlProblem } from './yaml-problems.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { serverText } from '../i18n/server-messages.ts';

/** Lets the page move the cursor to a problem's line. */
export interface EditorHandle {
  goto(line: number): void;
}

/**
 * A YAML editor (CodeMirror 6, loaded lazily) that marks problems on their lines: in the gutter, under the text,
 * and with the message on hover.
 */
export function YamlEditor(props: {
  value: string;
  onChange?: (value: string) => void;
  problems?: readonly YamlProblem[];
  readOnly?: boolean;
  height?: number | string;
  onReady?: (handle: EditorHandle) => void;
  testId?: string;
}) {
  const { lang } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          history(),
          indentOnInput(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          yaml(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          lintGutter(),
          EditorState.tabSize.of(2),
          EditorState.readOnly.of(props.readOnly ?? false),
          EditorView.editable.of(!(props.readOnly ?? false)),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChange.current?.(u.state.doc.toString());
          }),
          EditorView.theme({
            '&': { fontSize: '13px', border: '1px solid #d9d9d9', borderRadius: '6px', height: '100%' },
            '.cm-scroller': {
              fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
              overflow: 'auto',
            },
            '&.cm-focused': { outline: '2px solid #91caff' },
          }),
        ],
      }),
    });
    view.current = v;
    props.onReady?.({
      goto: (line) => {
        const l = v.state.doc.line(Math.min(Math.max(1, line), v.state.doc.lines));
        v.dispatch({ selection: { anchor: l.from }, effects: EditorView.scrollIntoView(l.from, { y: 'center' }) });
        v.focus();
      },
    });
    return () => {
      v.destroy();
      view.current = undefined;
    };
    // The editor is created once; value changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A new value from outside (a reset, the live object) replaces the text when it differs.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const now = v.state.doc.toString();
    if (now !== props.value) v.dispatch({ changes: { from: 0, to: now.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const diagnostics: Diagnostic[] = (props.problems ?? []).map((p) => {
      const from = Math.min(p.from, len);
      let to = Math.min(Math.max(p.to, from), len);
      if (to === from) to = Math.min(len, v.state.doc.lineAt(from).to);
      const text = serverText(p, lang);
      return { from, to, severity: 'error', message: p.path ? `${p.path}: ${text}` : text };
    });
    v.dispatch(setDiagnostics(v.state, diagnostics));
  }, [props.problems, props.value, lang]);

  return <div ref={host} style={{ height: props.height ?? 480 }} data-testid={props.testId ?? 'yaml-editor'} />;
}
