// SPDX-License-Identifier: Apache-2.0
//
// ParsecClient and ParsecKey from GJS through the typelib, against the
// real test service (run through parsec-test-env, which sets
// PARSEC_SERVICE_ENDPOINT). Prints TAP.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Parsec from 'gi://Parsec?version=1';
import System from 'system';

Gio._promisify(Gio.AsyncInitable.prototype, 'init_async', 'init_finish');
for (const op of ['ping', 'generate_key', 'lookup_key', 'list_keys', 'destroy_key', 'hash_compute',
    'asymmetric_decrypt', 'generate_random'])
    Gio._promisify(Parsec.Client.prototype, `${op}_async`, `${op}_finish`);
for (const op of ['sign_data', 'verify_data', 'sign_hash', 'verify_hash', 'asymmetric_encrypt',
    'asymmetric_decrypt', 'aead_encrypt', 'aead_decrypt', 'destroy'])
    Gio._promisify(Parsec.Key.prototype, `${op}_async`, `${op}_finish`);

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

// What the service's crypto provider can do, asked of the service rather
// than assumed: the first crypto provider it lists and its operations.
function serviceProvider(client) {
    const info = client.list_providers(null).find(p => p.get_id() !== Parsec.Provider.CORE);
    check(info !== undefined, 'the service lists a crypto provider');
    const opcodes = client.list_opcodes(info.get_id(), null);
    return {id: info.get_id(), offers: opcode => opcodes.includes(opcode)};
}

// SHA-256 of @data: the service's where its provider has hashes, else
// GLib's, after checking that the library refuses the service's.
async function sha256(client, data) {
    if (serviceProvider(client).offers(Parsec.Opcode.PSA_HASH_COMPUTE))
        return client.hash_compute_async(Parsec.Hash.SHA_256, data, null);
    await rejects(client.hash_compute_async(Parsec.Hash.SHA_256, data, null),
        Parsec.Error, Parsec.Error.NOT_SUPPORTED_BY_PROVIDER);
    const checksum = new GLib.Checksum(GLib.ChecksumType.SHA256);
    checksum.update(data.toArray());
    const hex = checksum.get_string();
    return new GLib.Bytes(Uint8Array.from(hex.match(/../g), h => parseInt(h, 16)));
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
    check(client.implicit_provider === serviceProvider(client).id, 'the service\'s provider');
});

test('construct asynchronously', async () => {
    const client = await newClient();
    check(client.application_name === 'gjs-binding-test', 'application name kept');
});

test('ping', async () => {
    const client = await newClient();
    // One return value: the version, no out-parameters.
    const version = client.ping(null);
    check(version instanceof Parsec.ProtocolVersion, 'a Parsec.ProtocolVersion');
    check(version.major === 1 && version.minor === 0, 'sync ping answers 1.0');
    const aversion = await client.ping_async(null);
    check(aversion.major === 1 && aversion.minor === 0, 'async ping answers 1.0');
});

// @key is a Parsec.Key of @client named @name, for an ECDSA P-256 policy.
function checkKey(key, name, client, what) {
    check(key instanceof Parsec.Key, `${what}: a Parsec.Key`);
    check(key.name === name && key.get_name() === name, `${what}: named ${name}`);
    check(key.client === client && key.get_client() === client, `${what}: of its client`);
    check(key.provider === serviceProvider(client).id, `${what}: held by the service's provider`);
    const attributes = key.get_attributes();
    check(attributes.get_key_type() === Parsec.KeyType.ECC_KEY_PAIR, `${what}: an ECC key pair`);
    check(attributes.get_bits() === 256, `${what}: of 256 bits`);
    check(attributes.get_algorithm().get_hash() === Parsec.Hash.SHA_256, `${what}: for SHA-256`);
}

const eccSigning = () => Parsec.KeyAttributes.new_ecc_signing(256, Parsec.Hash.SHA_256);

test('keys from generate_key, lookup_key and list_keys', async () => {
    const client = await newClient();
    const key = await client.generate_key_async('gjs-ecc', eccSigning(), null);
    checkKey(key, 'gjs-ecc', client, 'generate_key');
    checkKey(client.generate_key('gjs-ecc-sync', eccSigning(), null), 'gjs-ecc-sync', client, 'sync generate_key');
    checkKey(await client.lookup_key_async('gjs-ecc', null), 'gjs-ecc', client, 'lookup_key');
    checkKey(client.lookup_key('gjs-ecc', null), 'gjs-ecc', client, 'sync lookup_key');
    const keys = await client.list_keys_async(null);
    checkKey(keys.find(k => k.name === 'gjs-ecc'), 'gjs-ecc', client, 'list_keys');
    checkKey(client.list_keys(null).find(k => k.name === 'gjs-ecc-sync'), 'gjs-ecc-sync', client, 'sync list_keys');

    await rejects(client.generate_key_async('gjs-ecc', eccSigning(), null), Parsec.Error, Parsec.Error.PSA_ALREADY_EXISTS);
    check(await key.destroy_async(null) === true, 'the key is destroyed');
    await client.destroy_key_async('gjs-ecc-sync', null);
    check(!(await client.list_keys_async(null)).some(k => k.name.startsWith('gjs-ecc')), 'the keys are gone');
    await rejects(client.lookup_key_async('gjs-ecc', null), Parsec.Error, Parsec.Error.PSA_DOES_NOT_EXIST);
});

test('sign and verify', async () => {
    const client = await newClient();
    const key = client.generate_key('gjs-sign', eccSigning(), null);
    const data = bytes('the quick brown fox');

    const signature = await key.sign_data_async(data, null);
    check(signature.get_size() === 64, 'a raw P-256 signature');
    check(await key.verify_data_async(data, signature, null) === true, 'data signature verifies');
    check(key.verify_data(data, key.sign_data(data, null), null), 'sync sign_data and verify_data');
    const found = await client.lookup_key_async('gjs-sign', null);
    check(await found.verify_data_async(data, signature, null) === true, 'the looked-up key verifies it');
    await rejects(key.verify_data_async(bytes('the quick brown cat'), signature, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_SIGNATURE);

    // null: the algorithm of the key's policy.
    const hash = await sha256(client, data);
    const hashSignature = await key.sign_hash_async(null, hash, null);
    const ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256);
    check(await key.verify_hash_async(ecdsa, hash, hashSignature, null) === true, 'hash signature verifies');
    check(key.verify_data(data, hashSignature, null), 'sign_hash and verify_data agree');
});

test('a key made with GObject properties and no attributes', async () => {
    const client = await newClient();
    const made = client.generate_key('gjs-bare', eccSigning(), null);
    const key = new Parsec.Key({client, name: 'gjs-bare'});
    check(key.provider === Parsec.Provider.AUTO && key.get_attributes() === null, 'no provider, no attributes');
    const data = bytes('data');
    const e = await rejects(key.sign_data_async(data, null), Parsec.Error, Parsec.Error.INVALID_INPUT);
    check(e.message.includes('gjs-bare'), 'the message names the key');
    const ecdsa = Parsec.Algorithm.new_ecdsa(Parsec.Hash.SHA_256);
    const hash = await sha256(client, data);
    const signature = await key.sign_hash_async(ecdsa, hash, null);
    check(made.verify_data(data, signature, null), 'an explicit algorithm works');
});

test('encrypt and decrypt with RSA-OAEP', async () => {
    const client = await newClient();
    const oaep = Parsec.Algorithm.new_rsa_oaep(Parsec.Hash.SHA_256);
    const key = await client.generate_key_async('gjs-rsa', Parsec.KeyAttributes.new_rsa_encryption(2048, oaep), null);

    const ciphertext = await key.asymmetric_encrypt_async(null, bytes('attack at dawn'), null, null);
    check(ciphertext.get_size() === 256, 'one RSA-2048 block');
    const plaintext = await client.asymmetric_decrypt_async('gjs-rsa', oaep, ciphertext, null, null);
    check(text(plaintext) === 'attack at dawn', 'round trip');

    // swtpm refuses OAEP labels (TPM_RC_VALUE), which the TPM provider
    // reports as PsaErrorCommunicationFailure.
    if (serviceProvider(client).id === Parsec.Provider.TPM) {
        await rejects(key.asymmetric_encrypt_async(oaep, bytes('x'), bytes('label'), null),
            Parsec.Error, Parsec.Error.PSA_COMMUNICATION_FAILURE);
        return;
    }
    // The label is bound to the ciphertext.
    const labelled = key.asymmetric_encrypt(oaep, bytes('x'), bytes('label'), null);
    await rejects(key.asymmetric_decrypt_async(null, labelled, null, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_PADDING);
    check(text(key.asymmetric_decrypt(null, labelled, bytes('label'), null)) === 'x', 'label round trip');
});

test('encrypt and decrypt with AES-GCM', async () => {
    const client = await newClient();
    const gcm = Parsec.Algorithm.new_aead(Parsec.Aead.GCM);
    const attributes = Parsec.KeyAttributes.new_aead(Parsec.KeyType.AES, 256, gcm);
    // No AEAD (the TPM provider): the service holds no AES key.
    if (!serviceProvider(client).offers(Parsec.Opcode.PSA_AEAD_ENCRYPT)) {
        await rejects(client.generate_key_async('gjs-aes', attributes, null),
            Parsec.Error, Parsec.Error.PSA_NOT_SUPPORTED);
        return;
    }
    const key = await client.generate_key_async('gjs-aes', attributes, null);

    const nonce = await client.generate_random_async(12, null);
    const ad = bytes('header');
    const ciphertext = await key.aead_encrypt_async(null, nonce, ad, bytes('secret'), null);
    check(ciphertext.get_size() === 6 + 16, 'ciphertext and a 16-byte tag');
    check(text(await key.aead_decrypt_async(gcm, nonce, ad, ciphertext, null)) === 'secret', 'round trip');

    // Tampered authenticated data fails the tag check.
    await rejects(key.aead_decrypt_async(null, nonce, bytes('Header'), ciphertext, null),
        Parsec.Error, Parsec.Error.PSA_INVALID_SIGNATURE);
    check(text(client.aead_decrypt('gjs-aes', gcm, nonce, null, client.aead_encrypt('gjs-aes', gcm, nonce, null, bytes('no ad'), null), null)) === 'no ad',
        'without additional data');
});

test('a service error is a typed Parsec.Error', async () => {
    const client = await newClient();
    const e = await rejects(client.lookup_key_async('gjs-missing', null),
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
