// The brief's Print button (the page prints from the browser's menu without it).
document.addEventListener("click", (e) => {
  if (e.target instanceof Element && e.target.closest("[data-print]")) {
    window.print();
  }
});
