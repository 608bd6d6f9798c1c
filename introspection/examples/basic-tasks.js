// SPDX-License-Identifier: Apache-2.0
//
// basic-tasks.js: the basic tasks of docs/examples.md, one function each,
// run one after the other against the configured Parsec service.
//
// Usage: gjs -m basic-tasks.js FILE SERVER-PEM
// (FILE: any file to sign; SERVER-PEM: a TLS server's certificate and key,
// such as tls-server.pem beside this file)

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import Parsec from 'gi://Parsec?version=1';
import System from 'system';

// Let the asynchronous calls return promises.
Gio._promisify(Gio.AsyncInitable.prototype, 'init_async', 'init_finish');
Gio._promisify(Gio.File.prototype, 'load_bytes_async', 'load_bytes_finish');
Gio._promisify(Parsec.Client.prototype, 'generate_key_async', 'generate_key_finish');
Gio._promisify(Parsec.Client.prototype, 'lookup_key_async', 'lookup_key_finish');
Gio._promisify(Parsec.Client.prototype, 'list_keys_async', 'list_keys_finish');
Gio._promisify(Parsec.Key.prototype, 'sign_data_async', 'sign_data_finish');
Gio._promisify(Parsec.Key.prototype, 'verify_data_async', 'verify_data_finish');
Gio._promisify(Parsec.Key.prototype, 'sign_hash_async', 'sign_hash_finish');
Gio._promisify(Parsec.Key.prototype, 'asymmetric_encrypt_async', 'asymmetric_encrypt_finish');
Gio._promisify(Parsec.Key.prototype, 'asymmetric_decrypt_async', 'asymmetric_decrypt_finish');
Gio._promisify(Parsec.Key.prototype, 'destroy_async', 'destroy_finish');
Gio._promisify(Parsec.Key.prototype, 'create_self_signed_certificate_async',
    'create_self_signed_certificate_finish');
Gio._promisify(Parsec.Key.prototype, 'create_tls_certificate_async', 'create_tls_certificate_finish');
Gio._promisify(Gio.SocketListener.prototype, 'accept_async', 'accept_finish');
Gio._promisify(Gio.SocketClient.prototype, 'connect_to_host_async', 'connect_to_host_finish');

// Task: Sign a file and verify the signature
async function signAndVerifyFile(client, path) {
    const key = await client.generate_key_async('example-signing',
        Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), null);
    const [data] = await Gio.File.new_for_commandline_arg(path).load_bytes_async(null);
    const signature = await key.sign_data_async(data, null);
    await key.verify_data_async(data, signature, null);
    print(`signed and verified ${path}`);
}

// Task: Encrypt and decrypt
async function encryptAndDecrypt(client) {
    const oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256);
    const key = await client.generate_key_async('example-encryption',
        Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), null);
    // null: the algorithm of the key's policy, RSA-OAEP with SHA-256
    const plaintext = new GLib.Bytes(new TextEncoder().encode('attack at dawn'));
    const ciphertext = await key.asymmetric_encrypt_async(null, plaintext, null, null);
    const decrypted = await key.asymmetric_decrypt_async(null, ciphertext, null, null);
    print(`decrypted: ${new TextDecoder().decode(decrypted.toArray())}`);
}

// Task: List keys with their attributes
async function listKeys(client) {
    for (const key of await client.list_keys_async(null)) {
        const attributes = key.get_attributes();
        const type = GObject.enum_to_string(Parsec.KeyType.$gtype, attributes.get_key_type());
        print(`${key.get_name()}: ${type}, ${attributes.get_bits()} bits, ` +
              `${attributes.get_algorithm().to_string()}`);
    }
}

// Task: Cancellation and deadlines
async function cancelAndTimeOut() {
    // A deadline: each request of this client fails with
    // Gio.IOErrorEnum.TIMED_OUT after 5 seconds (0: no deadline).
    const client = new Parsec.Client({application_name: 'org.example.BasicTasks', timeout: 5000});
    await client.init_async(GLib.PRIORITY_DEFAULT, null);
    const key = await client.generate_key_async('example-cancelled',
        Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), null);

    // Cancellation: the call rejects at once with Gio.IOErrorEnum.CANCELLED.
    const cancellable = new Gio.Cancellable();
    const signing = key.sign_hash_async(null, new GLib.Bytes(new Uint8Array(32)), cancellable);
    cancellable.cancel();
    try {
        await signing;
        throw new Error('the call was not cancelled');
    } catch (e) {
        if (!e.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
            throw e;
        print(`cancelled: ${e.message}`);
    }
}

// Task: Matching errors
async function matchErrors(client) {
    try {
        await client.lookup_key_async('no-such-key', null);
        throw new Error('no-such-key exists');
    } catch (e) {
        if (!e.matches?.(Parsec.Error, Parsec.Error.PSA_DOES_NOT_EXIST))
            throw e;
        print('no key named no-such-key');
    }
}

// Task: TLS client certificate
// A new key with a self-signed certificate, as a Gio.TlsCertificate whose
// private key stays in the service
async function newKeyTlsCertificate(client) {
    const key = await client.generate_key_async('example-tls-client',
        Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), null);
    // null: the default subject and validity
    const der = await key.create_self_signed_certificate_async(null, null);
    // PEM, as a file for the peer to trust would hold it (DER does too)
    const pem = Parsec.pem_encode(der, 'CERTIFICATE');
    return key.create_tls_certificate_async(new GLib.Bytes(new TextEncoder().encode(pem)), null);
}

// A mutual TLS handshake on loopback with a server whose certificate and
// key are in serverPem: the server requires a client certificate and gets
// the client's.
async function tlsClientCertificate(client, serverPem) {
    const serverCertificate = Gio.TlsCertificate.new_from_file(serverPem);
    const clientCertificate = await newKeyTlsCertificate(client);

    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    const [[serverEnd], clientEnd] = await Promise.all([
        listener.accept_async(null),
        new Gio.SocketClient({enable_proxy: false}).connect_to_host_async('127.0.0.1', port, null),
    ]);
    listener.close();

    // Both certificates are self-signed: each side trusts the one it expects.
    const server = Gio.TlsServerConnection.new(serverEnd, serverCertificate);
    server.authentication_mode = Gio.TlsAuthenticationMode.REQUIRED;
    server.connect('accept-certificate', (conn, peer) => peer.is_same(clientCertificate));
    const tls = Gio.TlsClientConnection.new(clientEnd, null);
    tls.certificate = clientCertificate;
    tls.connect('accept-certificate', (conn, peer) => peer.is_same(serverCertificate));

    // Both handshakes at once, in a main loop of their own: GLib runs
    // accept-certificate handlers in the thread that owns the main context,
    // and a running loop keeps it this one's. With TLS 1.3 the client
    // finishes first: the server has the verdict. (GLib's connections are
    // Gio.DtlsConnection too, whose methods of the same names GJS would
    // otherwise pick.)
    const loop = new GLib.MainLoop(null, false);
    let pending = 2, error = null;
    for (const conn of [server, tls]) {
        Gio.TlsConnection.prototype.handshake_async.call(conn, GLib.PRIORITY_DEFAULT, null, (_, result) => {
            try {
                Gio.TlsConnection.prototype.handshake_finish.call(conn, result);
            } catch (e) {
                error ??= e;
            }
            if (--pending === 0)
                loop.quit();
        });
    }
    loop.run();
    if (error)
        throw error;
    print("the server accepted the client's certificate");
}

// End of the tasks

// The keys of this program, made by the tasks above
async function deleteKeys(client) {
    for (const key of await client.list_keys_async(null))
        await key.destroy_async(null);
}

const [path, serverPem] = System.programArgs;
if (!serverPem) {
    printerr('usage: gjs -m basic-tasks.js FILE SERVER-PEM');
    System.exit(2);
}

try {
    const client = new Parsec.Client({application_name: 'org.example.BasicTasks'});
    await client.init_async(GLib.PRIORITY_DEFAULT, null);
    await signAndVerifyFile(client, path);
    await encryptAndDecrypt(client);
    await listKeys(client);
    await cancelAndTimeOut();
    await matchErrors(client);
    await tlsClientCertificate(client, serverPem);
    await deleteKeys(client);
} catch (e) {
    printerr(`basic-tasks: ${e.message}`);
    System.exit(1);
}
