/**
 * Python syntax highlighting for the code panel: highlight.js's core with its
 * Python grammar (no other languages are bundled), split into one HTML string
 * per line so the panel can mark the lines of the current step. highlight.js
 * escapes the source and emits only `<span class="hljs-…">` tags, so the
 * strings are safe to set as HTML.
 */
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';

hljs.registerLanguage('python', python);

const TAG = /<span class="[^"]*">|<\/span>/g;

/**
 * Splits highlighted HTML at newlines: a span open across a line break (a
 * docstring, a bracketed literal) is closed at the end of the line and
 * opened again at the start of the next.
 */
export function splitHtmlLines(html: string): string[] {
  const out: string[] = [];
  const open: string[] = [];
  for (const line of html.split('\n')) {
    const prefix = open.join('');
    for (const m of line.matchAll(TAG)) {
      if (m[0] === '</span>') open.pop();
      else open.push(m[0]);
    }
    out.push(prefix + line + '</span>'.repeat(open.length));
  }
  return out;
}

/** The script as highlighted HTML, one string per line. */
export function highlightPython(script: string): string[] {
  return splitHtmlLines(hljs.highlight(script, { language: 'python', ignoreIllegals: true }).value);
}
