// Renders TeX in server-rendered Markdown: every `.markdown` element, $$display$$ and $inline$.
import renderMathInElement from "katex/contrib/auto-render";

const OPTIONS = {
  delimiters: [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
  ],
  // A typo in a prompt must not blank the page: show the TeX source in red instead.
  throwOnError: false,
  ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
};

/** Render math inside `root` (itself or its `.markdown` descendants); safe to call repeatedly. */
export function renderMath(root = document) {
  const targets = [];
  if (root instanceof Element && root.classList.contains("markdown")) targets.push(root);
  targets.push(...root.querySelectorAll(".markdown"));
  for (const element of targets) {
    if (element.dataset.mathRendered === "1") continue;
    renderMathInElement(element, OPTIONS);
    element.dataset.mathRendered = "1";
  }
}
