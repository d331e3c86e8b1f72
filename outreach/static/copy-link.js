// "Copy" buttons next to a read-only link: <button data-copy-target="id" data-copied="Copied">
document.querySelectorAll('[data-copy-target]').forEach(function (button) {
  button.addEventListener('click', function () {
    var input = document.getElementById(button.dataset.copyTarget);
    input.select();
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(input.value).then(done); }
    else { document.execCommand('copy'); done(); }
  });
});
