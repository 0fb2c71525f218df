// Herald's only script: progressive enhancements. Every page works without it.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("select[data-navigate]") && el.value) {
    window.location.assign(el.value);
  }
});
