// dom.js — building the editor's DOM: one element with its attributes, listeners and children.

// `<tag>` with `attrs` (`class`, `onEVENT` listeners, other attributes) and `children` appended.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}
