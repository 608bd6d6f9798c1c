// SPDX-License-Identifier: Apache-2.0
// Where gi-docgen links types of the GIR's dependencies.
baseURLs = [
    ['GLib', 'https://docs.gtk.org/glib/'],
    ['GObject', 'https://docs.gtk.org/gobject/'],
    ['Gio', 'https://docs.gtk.org/gio/'],
];
