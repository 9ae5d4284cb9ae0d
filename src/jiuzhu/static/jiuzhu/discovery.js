// The import page: send the file with XMLHttpRequest so that the upload's progress shows, and
// while the server reads the rows, ask it every second how many it has read.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var texts = document.getElementById("import-texts");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = form.querySelector(".import-progress");
    var bar = document.getElementById("import-upload");
    var status = document.getElementById("import-status");
    var token = form.querySelector("input[name=token]");
    var button = form.querySelector("button[type=submit]");
    box.hidden = false;
    button.disabled = true;
    status.textContent = texts.dataset.uploading;
    var poll = null;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round((100 * e.loaded) / e.total); }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      poll = window.setInterval(function () {
        var ask = new XMLHttpRequest();
        ask.open("GET", form.dataset.progressUrl + "?token=" + encodeURIComponent(token ? token.value : ""));
        ask.onload = function () {
          try { status.textContent = texts.dataset.reading + " " + JSON.parse(ask.responseText).rows; } catch (err) { /* keep */ }
        };
        ask.send();
      }, 1000);
    });
    xhr.onload = function () {
      if (poll) { window.clearInterval(poll); }
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.href = xhr.responseURL;
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    };
    xhr.onerror = function () { if (poll) { window.clearInterval(poll); } form.submit(); };
    xhr.send(new FormData(form));
  });
})();
