// SPDX-License-Identifier: Apache-2.0
//
// sign-file.js: sign a file with a key held by the Parsec service, then
// verify the signature.
//
// Usage: gjs -m sign-file.js KEY-NAME FILE

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Parsec from 'gi://Parsec?version=1';
import System from 'system';

// Let the asynchronous calls return promises.
Gio._promisify(Gio.AsyncInitable.prototype, 'init_async', 'init_finish');
Gio._promisify(Gio.File.prototype, 'load_bytes_async', 'load_bytes_finish');
Gio._promisify(Parsec.Client.prototype, 'generate_key_async', 'generate_key_finish');
Gio._promisify(Parsec.Client.prototype, 'lookup_key_async', 'lookup_key_finish');
Gio._promisify(Parsec.Key.prototype, 'sign_data_async', 'sign_data_finish');
Gio._promisify(Parsec.Key.prototype, 'verify_data_async', 'verify_data_finish');

const [keyName, path] = System.programArgs;
if (!path) {
    printerr('usage: gjs -m sign-file.js KEY-NAME FILE');
    System.exit(2);
}

try {
    // The service keeps each application's keys apart by this name.
    const client = new Parsec.Client({application_name: 'org.example.SignFile'});
    await client.init_async(GLib.PRIORITY_DEFAULT, null);

    // An ECDSA P-256 key for SHA-256; the key of an earlier run is reused.
    let key;
    try {
        key = await client.generate_key_async(keyName,
            Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), null);
    } catch (e) {
        if (!e.matches(Parsec.Error, Parsec.Error.PSA_ALREADY_EXISTS))
            throw e;
        key = await client.lookup_key_async(keyName, null);
    }

    // The key's policy gives the algorithm; only the SHA-256 digest of the
    // file travels to the service, in one request.
    const [data] = await Gio.File.new_for_commandline_arg(path).load_bytes_async(null);
    const signature = await key.sign_data_async(data, null);
    print(GLib.base64_encode(signature.toArray()));

    // A signature that does not match rejects with PSA_INVALID_SIGNATURE.
    await key.verify_data_async(data, signature, null);
    print('verified');
} catch (e) {
    printerr(`sign-file: ${e.message}`);
    System.exit(1);
}
