// Teams renders TextBlock and Fact text as a subset of Markdown, and `<at>…</at>` as a mention
// (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
// Text people wrote (gallery and file names, comments, names from the directory) must show as typed,
// not as a link, emphasis, list or mention: a comment must not dress up a phishing link under a
// reviewer's name.

/** Inline Markdown: emphasis, links and images, strike-through, code, and the escape itself. */
const inlineMarkup = /[\\*_[\]()~`]/g;

/** Block Markdown at the start of a line: a list item, heading or setext underline. */
const lineMarkup = /^([ \t]*)([-+#=])(?=[ \t]|$)/gm;
const orderedItem = /^([ \t]*\d{1,9})\.(?=[ \t]|$)/gm;

/**
 * The text with its Markdown escaped by backslashes (which CommonMark shows as the character alone),
 * `<` and `>` swapped for look-alike angle quotes so no tag or mention forms, and `{{` broken so no
 * `{{DATE()}}` of someone else's is evaluated. Ordinary text comes back unchanged.
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
