/**
 * A note's Markdown as React elements, by react-markdown: raw HTML is ignored (never injected), and links survive
 * only for http(s) and mailto. Loaded lazily, so the Markdown parser stays out of the initial bundle.
 */
import Markdown, { defaultUrlTransform } from "react-markdown";

export function safeNoteUrl(url: string): string {
  const transformed = defaultUrlTransform(url);
  return /^(https?:|mailto:)/i.test(transformed) ? transformed : "";
}

export default function NoteMarkdown({ text }: { text: string }) {
  return (
    <Markdown urlTransform={safeNoteUrl} skipHtml>
      {text}
    </Markdown>
  );
}
