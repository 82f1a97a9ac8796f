// Teams renders card text as a subset of Markdown and `<at>…</at>` as a mention
// (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format);
// text people wrote must show as typed, so a comment cannot dress up a phishing link.

/** Inline Markdown: emphasis, links and images, strike-through, code, and the escape itself. */
const inlineMarkup = /[\\*_[\]()~`]/g;

/** Block Markdown at the start of a line: a list item, heading or setext underline. */
const lineMarkup = /^([ \t]*)([-+#=])(?=[ \t]|$)/gm;
const orderedItem = /^([ \t]*\d{1,9})\.(?=[ \t]|$)/gm;

/**
 * The text with Markdown backslash-escaped, `<`/`>` swapped for look-alike quotes (no tag or
 * mention) and `{{` broken (no foreign `{{DATE()}}`); ordinary text comes back unchanged.
 */
export function plain(text: string): string {
  return text
    .replace(inlineMarkup, '\\$&')
    .replace(lineMarkup, '$1\\$2')
    .replace(orderedItem, '$1\\.')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\{\{/g, '{\\{');
}
