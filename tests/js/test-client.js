// SPDX-License-Identifier: Apache-2.0
// ParsecClient through GObject Introspection in GJS, against the fake service.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Parsec from 'gi://Parsec?version=1';
import System from 'system';

Gio._promisify(Parsec.Client.prototype, 'ping_async', 'ping_finish');
Gio._promisify(Parsec.Client.prototype, 'discover_async', 'discover_finish');
Gio._promisify(Gio.AsyncInitable.prototype, 'init_async', 'init_finish');

let failures = 0;
let count = 0;

function check(condition, what) {
    count++;
    if (condition) {
        print(`ok ${count} - ${what}`);
    } else {
        failures++;
        print(`not ok ${count} - ${what}`);
    }
}

const fake = Gio.Subprocess.new([GLib.getenv('FAKE_PARSEC_SERVICE')],
    Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
const out = new Gio.DataInputStream({base_stream: fake.get_stdout_pipe()});
const [endpoint] = out.read_line_utf8(null);

print('1..6');

// Synchronous
const client = new Parsec.Client({endpoint, application_name: 'gjs-test'});
client.init(null);
const version = client.ping(null);
check(version instanceof Parsec.ProtocolVersion && version.major === 1 && version.minor === 0,
    'sync ping answers a Parsec.ProtocolVersion 1.0');
client.discover(null);
check(client.implicit_provider === Parsec.Provider.MBED_CRYPTO, 'implicit provider is Mbed Crypto');

// Asynchronous
const loop = GLib.MainLoop.new(null, false);
(async () => {
    try {
        const asyncClient = new Parsec.Client({endpoint, application_name: 'gjs-test'});
        await asyncClient.init_async(GLib.PRIORITY_DEFAULT, null);
        const aversion = await asyncClient.ping_async(null);
        check(aversion.major === 1 && aversion.minor === 0, 'async ping answers 1.0');
        await asyncClient.discover_async(null);
        check(asyncClient.auth_type === Parsec.AuthType.DIRECT, 'direct authentication chosen');

        try {
            const bad = new Parsec.Client({endpoint: 'unix:relative'});
            await bad.init_async(GLib.PRIORITY_DEFAULT, null);
            check(false, 'invalid endpoint refused');
        } catch (e) {
            check(e.matches(Parsec.Error, Parsec.Error.INVALID_ENDPOINT), 'invalid endpoint is a typed Parsec.Error');
        }

        const cancellable = new Gio.Cancellable();
        cancellable.cancel();
        try {
            await asyncClient.ping_async(cancellable);
            check(false, 'cancelled ping fails');
        } catch (e) {
            check(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), 'cancelled ping gives G_IO_ERROR_CANCELLED');
        }
    } catch (e) {
        failures++;
        printerr(e);
    } finally {
        loop.quit();
    }
})();
loop.run();

fake.get_stdin_pipe().close(null);
fake.wait(null);
System.exit(failures > 0 ? 1 : 0);
