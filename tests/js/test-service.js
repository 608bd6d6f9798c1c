// SPDX-License-Identifier: Apache-2.0
//
// ParsecClient from GJS through the typelib, against the real test service
// (run through parsec-test-env, which sets PARSEC_SERVICE_ENDPOINT).
// Prints TAP.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Parsec from 'gi://Parsec?version=1';
import System from 'system';

Gio._promisify(Gio.AsyncInitable.prototype, 'init_async', 'init_finish');
for (const op of ['ping', 'generate_key', 'destroy_key', 'list_keys', 'sign_data', 'verify_data',
    'sign_hash', 'verify_hash', 'hash_compute', 'asymmetric_encrypt', 'asymmetric_decrypt',
    'aead_encrypt', 'aead_decrypt', 'generate_random'])
    Gio._promisify(Parsec.Client.prototype, `${op}_async`, `${op}_finish`);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = text => new GLib.Bytes(encoder.encode(text));
const text = b => decoder.decode(b.toArray());

let count = 0;
let failures = 0;
const tests = [];

function test(name, func) {
    tests.push({name, func});
}

function check(condition, what) {
    if (!condition)
        throw new Error(`check failed: ${what}`);
}

// Expects the promise to reject with a GLib.Error of the domain and code.
async function rejects(promise, domain, code) {
    try {
        await promise;
    } catch (e) {
        check(e instanceof GLib.Error, `${e} is a GLib.Error`);
        check(e.matches(domain, code), `${e} has code ${code}, not ${e.code}`);
        return e;
    }
    throw new Error('the call succeeded');
}

async function newClient() {
    const client = new Parsec.Client({application_name: 'gjs-binding-test'});
    await client.init_async(GLib.PRIORITY_DEFAULT, null);
    return client;
}

test('construct synchronously', () => {
    const client = new Parsec.Client({application_name: 'gjs-binding-test'});
    client.init(null);
    check(client.endpoint === GLib.getenv('PARSEC_SERVICE_ENDPOINT'), 'endpoint from the environment');
    client.discover(null);
    // The authenticator the service runs (direct or Unix peer credentials).
    check(client.auth_type === client.list_authenticators(null)[0].get_id(), 'the service\'s authenticator');
    check(client.implicit_provider === Parsec.Provider.MBED_CRYPTO, 'Mbed Crypto provider');
});

test('construct asynchronously', async () => {
    const client = await newClient();
    check(client.application_name === 'gjs-binding-test', 'application name kept');
});

test('ping', async () => {
    const client = await newClient();
    const [ok, major, minor] = client.ping(null);
    check(ok && major === 1 && minor === 0, 'sync ping answers 1.0');
    // Gio._promisify drops the leading TRUE of a boolean-returning finish.
    const [amajor, aminor] = await client.ping_async(null);
    check(amajor === 1 && aminor === 0, 'async ping answers 1.0');
});

test('generate a key, list and destroy it', async () => {
    const client = await newClient();
    await client.generate_key_async('gjs-ecc', Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256), null);
    const keys = await client.list_keys_async(null);
    const key = keys.find(k => k.name === 'gjs-ecc');
    check(key !== undefined, 'the key is listed');
    check(key.attributes.get_key_type() === Parsec.KeyType.ECC_KEY_PAIR, 'an ECC key pair');
    check(key.attributes.get_bits() === 256, 'of 256 bits');
    await rejects(client.generate_key_async('gjs-ecc', null, null), Parsec.Error, Parsec.Error.PSA_ALREADY_EXISTS);
    await client.destroy_key_async('gjs-ecc', null);
    check(!(await client.list_keys_async(null)).some(k => k.name === 'gjs-ecc'), 'the key is gone');
});

test('sign and verify', async () => {
    const client = await newClient();
    client.generate_key('gjs-sign', null, null);  // NULL: ECDSA P-256 with SHA-256
    const data = bytes('the quick brown fox');

    const signature = await client.sign_data_async('gjs-sign', data, null);
    check(signature.get_size() === 64, 'a raw P-256 signature');
    check(await client.verify_data_async('gjs-sign', data, signature, null) === true, 'data signature verifies');
    await rejects(client.verify_data_async('gjs-sign', bytes('the quick brown cat'), signature, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_SIGNATURE);

    const ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256);
    const hash = await client.hash_compute_async(Parsec.Hash.SHA_256, data, null);
    const hashSignature = client.sign_hash('gjs-sign', ecdsa, hash, null);
    check(await client.verify_hash_async('gjs-sign', ecdsa, hash, hashSignature, null) === true, 'hash signature verifies');
    check(client.verify_data('gjs-sign', data, hashSignature, null), 'sign_hash and verify_data agree');
});

test('encrypt and decrypt with RSA-OAEP', async () => {
    const client = await newClient();
    const oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256);
    await client.generate_key_async('gjs-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), null);

    const ciphertext = await client.asymmetric_encrypt_async('gjs-rsa', oaep, bytes('attack at dawn'), null, null);
    check(ciphertext.get_size() === 256, 'one RSA-2048 block');
    const plaintext = await client.asymmetric_decrypt_async('gjs-rsa', oaep, ciphertext, null, null);
    check(text(plaintext) === 'attack at dawn', 'round trip');

    // The label (salt) is bound to the ciphertext.
    const labelled = client.asymmetric_encrypt('gjs-rsa', oaep, bytes('x'), bytes('label'), null);
    await rejects(client.asymmetric_decrypt_async('gjs-rsa', oaep, labelled, null, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_PADDING);
    check(text(client.asymmetric_decrypt('gjs-rsa', oaep, labelled, bytes('label'), null)) === 'x', 'label round trip');
});

test('encrypt and decrypt with AES-GCM', async () => {
    const client = await newClient();
    const gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM);
    await client.generate_key_async('gjs-aes', Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 256, gcm), null);

    const nonce = await client.generate_random_async(12, null);
    const ad = bytes('header');
    const ciphertext = await client.aead_encrypt_async('gjs-aes', gcm, nonce, ad, bytes('secret'), null);
    check(ciphertext.get_size() === 6 + 16, 'ciphertext and a 16-byte tag');
    check(text(await client.aead_decrypt_async('gjs-aes', gcm, nonce, ad, ciphertext, null)) === 'secret', 'round trip');

    // Tampered authenticated data fails the tag check.
    await rejects(client.aead_decrypt_async('gjs-aes', gcm, nonce, bytes('Header'), ciphertext, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_SIGNATURE);
    check(text(client.aead_decrypt('gjs-aes', gcm, nonce, null, client.aead_encrypt('gjs-aes', gcm, nonce, null, bytes('no ad'), null), null)) === 'no ad',
        'without additional data');
});

test('a service error is a typed Parsec.Error', async () => {
    const client = await newClient();
    const e = await rejects(client.sign_data_async('gjs-missing', bytes('x'), null),
        Parsec.Error, Parsec.Error.PSA_DOES_NOT_EXIST);
    check(e.domain === Parsec.Error.quark(), 'domain is Parsec.Error');
    check(e.message.includes('gjs-missing'), 'the message names the key');
    try {
        client.destroy_key('gjs-missing', null);
        check(false, 'sync destroy of a missing key throws');
    } catch (e2) {
        check(e2.matches(Parsec.Error, Parsec.Error.PSA_DOES_NOT_EXIST), 'sync error is typed too');
    }
});

test('cancellation', async () => {
    const client = await newClient();
    const cancelled = new Gio.Cancellable();
    cancelled.cancel();
    await rejects(client.ping_async(cancelled), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);

    // Cancelled while in flight: the call ends at once with CANCELLED.
    const cancellable = new Gio.Cancellable();
    const pending = client.generate_random_async(32, cancellable);
    cancellable.cancel();
    await rejects(pending, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);

    try {
        client.ping(cancelled);
        check(false, 'sync call with a cancelled cancellable throws');
    } catch (e) {
        check(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), 'sync cancellation');
    }
    // The client is still usable afterwards.
    check((await client.generate_random_async(16, null)).get_size() === 16, 'a later call works');
});

print(`1..${tests.length}`);
for (const {name, func} of tests) {
    count++;
    try {
        // eslint-disable-next-line no-await-in-loop
        await func();
        print(`ok ${count} - ${name}`);
    } catch (e) {
        failures++;
        print(`not ok ${count} - ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    }
}
System.exit(failures > 0 ? 1 : 0);
