// Block Closet console: uploads the chosen files one by one, each streamed as the request body of a
// PUT to /console/upload (the node stores it as it arrives), with a progress line.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('uploadForm');
  if (!form) { return; }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var files = document.getElementById('uploadFile').files;
    var status = document.getElementById('uploadStatus');
    if (!files.length) { status.textContent = 'Choose a file first.'; return; }
    var i = 0;
    function next() {
      if (i >= files.length) { window.location.reload(); return; }
      var f = files[i++];
      var xhr = new XMLHttpRequest();
      xhr.open('PUT', '/console/upload?bucket=' + encodeURIComponent(form.dataset.bucket)
        + '&key=' + encodeURIComponent(form.dataset.prefix + f.name));
      xhr.setRequestHeader('X-CSRF-Token', form.dataset.csrf);
      if (f.type) { xhr.setRequestHeader('Content-Type', f.type); }
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { status.textContent = f.name + ': ' + Math.round(100 * e.loaded / e.total) + '%'; }
      };
      xhr.onload = function () {
        if (xhr.status === 201) { status.textContent = f.name + ' uploaded'; next(); }
        else { status.className = 'error'; status.textContent = f.name + ': ' + xhr.responseText; }
      };
      xhr.onerror = function () { status.className = 'error'; status.textContent = f.name + ': the connection failed'; };
      xhr.send(f);
    }
    next();
  });
});
