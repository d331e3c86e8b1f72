"""The installable app shell: the web app manifest, the service worker and the page shown offline."""
