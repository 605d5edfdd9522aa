/**
 * The attributes of a `<details>` the server opens (to show a form's answer): spread them, `{...openIf(cond)}`,
 * rather than writing `open={cond}`. Svelte sets `open={…}` as a property when the page hydrates, which would close
 * a `<details>` the reader opened (and typed in) before the scripts ran; a spread only touches the attributes it
 * names, so it opens the element when asked and otherwise leaves the reader's choice alone.
 */
export const openIf = (open: boolean): { open?: true } => (open ? { open: true } : {});
