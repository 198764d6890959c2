// Copy buttons: <button class="copy" data-copy="input-id"> copies that input's value.
// The input is selected first, so where the browser refuses the clipboard the user can
// still press Ctrl+C; the button says which happened.
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copy);
    input.select();
    var copied = function () { button.textContent = "Copied"; };
    var fallback = function () {
      button.textContent = document.execCommand("copy") ? "Copied" : "Press Ctrl+C";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(copied, fallback);
    } else {
      fallback();
    }
  });
});
