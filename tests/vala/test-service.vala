// SPDX-License-Identifier: Apache-2.0
//
// ParsecClient and ParsecKey from Vala through the generated VAPI, against
// the real test service (run through parsec-test-env, which sets PARSEC_SERVICE_ENDPOINT).
// Every call is an async method used with yield; service errors are caught
// as Parsec.Error. Prints TAP.

int count = 0;
int failures = 0;

void report (bool ok, string name, string? detail = null) {
    count++;
    if (!ok)
        failures++;
    print ("%s %d - %s\n", ok ? "ok" : "not ok", count, name);
    if (!ok && detail != null)
        print ("# %s\n", detail);
}

Bytes bytes (string text) {
    return new Bytes (text.data);
}

string text (Bytes data) {
    var builder = new StringBuilder ();
    builder.append_len ((string) data.get_data (), (ssize_t) data.get_size ());
    return builder.str;
}

// The service's crypto provider, asked of the service rather than assumed:
// the first one it lists.
uint service_provider (Parsec.Client client) throws Error {
    foreach (var info in client.list_providers ())
        if (info.get_id () != Parsec.Provider.CORE)
            return info.get_id ();
    throw new IOError.NOT_FOUND ("the service lists no crypto provider");
}

bool service_offers (Parsec.Client client, Parsec.Opcode opcode) throws Error {
    var opcodes = client.list_opcodes (service_provider (client));
    for (uint i = 0; i < opcodes.length; i++)
        if (opcodes.index (i) == opcode)
            return true;
    return false;
}

async Parsec.Client new_client () throws Error {
    // g_async_initable_new_async() is unusable from Vala (its VAPI calls
    // the finish function wrongly), so: construct, then init_async.
    var client = (Parsec.Client) Object.@new (typeof (Parsec.Client), "application-name", "vala-binding-test");
    yield client.init_async (Priority.DEFAULT, null);
    return client;
}

async void test_construct () throws Error {
    var client = yield new_client ();
    report (client.endpoint == Environment.get_variable ("PARSEC_SERVICE_ENDPOINT"), "endpoint from the environment");
    yield client.discover_async (null);
    // The authenticator the service runs (direct or Unix peer credentials).
    var authenticators = yield client.list_authenticators_async (null);
    report ((uint) client.auth_type == authenticators[0].get_id (), "the service's authenticator");
    report (client.implicit_provider == service_provider (client), "the service's provider");

    Parsec.ProtocolVersion version = yield client.ping_async ();
    report (version.major == 1 && version.minor == 0, "async ping answers 1.0");
    version = client.ping ();
    report (version.major == 1 && version.minor == 0, "sync ping answers 1.0");
}

// The key is a Parsec.Key of @client named @name, for an ECDSA P-256 policy.
bool is_ecc_key (Parsec.Key key, string name, Parsec.Client client) throws Error {
    unowned Parsec.KeyAttributes? attributes = key.get_attributes ();
    return key.name == name && key.get_client () == client
        && key.provider == service_provider (client)
        && attributes != null && attributes.get_key_type () == Parsec.KeyType.ECC_KEY_PAIR
        && attributes.get_bits () == 256;
}

async void test_sign_verify () throws Error {
    var client = yield new_client ();
    Parsec.Key key = yield client.generate_key_async ("vala-sign", new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
    report (is_ecc_key (key, "vala-sign", client), "generate_key gives the key");
    var data = bytes ("the quick brown fox");
    var signature = yield key.sign_data_async (data);
    report (signature.get_size () == 64, "a raw P-256 signature");
    report (yield key.verify_data_async (data, signature), "the signature verifies");
    report (key.verify_data (data, key.sign_data (data)), "sync sign_data and verify_data");

    try {
        yield key.verify_data_async (bytes ("the quick brown cat"), signature);
        report (false, "a wrong signature is refused");
    } catch (Parsec.Error.PSA_INVALID_SIGNATURE e) {
        report (true, "a wrong signature is refused");
    }

    var found = yield client.lookup_key_async ("vala-sign");
    report (is_ecc_key (found, "vala-sign", client), "lookup_key finds the key");
    report (yield found.verify_data_async (data, signature), "the looked-up key verifies");

    bool listed = false;
    foreach (var listed_key in yield client.list_keys_async ())
        listed |= listed_key.name == "vala-sign" && is_ecc_key (listed_key, "vala-sign", client);
    report (listed, "the key is listed");

    // A key object made from its name alone needs an explicit algorithm.
    var bare = (Parsec.Key) Object.@new (typeof (Parsec.Key), "client", client, "name", "vala-sign");
    report (bare.get_attributes () == null && bare.provider == Parsec.Provider.AUTO, "a bare key knows no attributes");
    try {
        yield bare.sign_data_async (data);
        report (false, "a bare key cannot sign data");
    } catch (Parsec.Error.INVALID_INPUT e) {
        report (true, "a bare key cannot sign data");
    }
    var ecdsa = new Parsec.Algorithm.ecdsa (Parsec.Hash.SHA_256);
    // The service's SHA-256 where its provider has hashes (the TPM
    // provider has none), else GLib's.
    Bytes hash;
    if (service_offers (client, Parsec.Opcode.PSA_HASH_COMPUTE)) {
        hash = yield client.hash_compute_async (Parsec.Hash.SHA_256, data);
    } else {
        var checksum = new Checksum (ChecksumType.SHA256);
        var digest = new uint8[32];
        size_t digest_len = digest.length;
        checksum.update (data.get_data (), data.get_size ());
        checksum.get_digest (digest, ref digest_len);
        hash = new Bytes (digest);
    }
    report (yield key.verify_data_async (data, yield bare.sign_hash_async (ecdsa, hash)), "a bare key signs with an algorithm");

    report (yield key.destroy_async (), "the key is destroyed");
    try {
        yield client.lookup_key_async ("vala-sign");
        report (false, "a destroyed key is not found");
    } catch (Parsec.Error.PSA_DOES_NOT_EXIST e) {
        report (true, "a destroyed key is not found");
    }
}

async void test_encrypt_decrypt () throws Error {
    var client = yield new_client ();

    var oaep = new Parsec.Algorithm.rsa_oaep (Parsec.Hash.SHA_256);
    var rsa = yield client.generate_key_async ("vala-rsa", new Parsec.KeyAttributes.rsa_encryption (2048, oaep));
    var ciphertext = yield rsa.asymmetric_encrypt_async (null, bytes ("attack at dawn"), null);
    var plaintext = yield client.asymmetric_decrypt_async ("vala-rsa", oaep, ciphertext, null);
    report (text (plaintext) == "attack at dawn", "RSA-OAEP round trip");

    var gcm = new Parsec.Algorithm.aead (Parsec.Aead.GCM);
    // No AEAD (the TPM provider): the service holds no AES key.
    if (!service_offers (client, Parsec.Opcode.PSA_AEAD_ENCRYPT)) {
        try {
            yield client.generate_key_async ("vala-aes", new Parsec.KeyAttributes.aead (Parsec.KeyType.AES, 128, gcm));
            report (false, "no AES key without AEAD");
        } catch (Parsec.Error.PSA_NOT_SUPPORTED e) {
            report (true, "no AES key without AEAD");
        }
        return;
    }
    var aes = yield client.generate_key_async ("vala-aes", new Parsec.KeyAttributes.aead (Parsec.KeyType.AES, 128, gcm));
    var nonce = yield client.generate_random_async (12);
    var sealed = yield aes.aead_encrypt_async (null, nonce, bytes ("header"), bytes ("secret"));
    var opened = yield client.aead_decrypt_async ("vala-aes", gcm, nonce, bytes ("header"), sealed);
    report (text (opened) == "secret", "AES-GCM round trip");
}

async void test_errors () throws Error {
    var client = yield new_client ();
    try {
        yield client.lookup_key_async ("vala-missing");
        report (false, "a missing key is a Parsec.Error");
    } catch (Parsec.Error.PSA_DOES_NOT_EXIST e) {
        report (e.domain == Parsec.Error.quark () && e.message.contains ("vala-missing"), "a missing key is a Parsec.Error");
    }

    var cancellable = new Cancellable ();
    cancellable.cancel ();
    try {
        yield client.generate_random_async (16, cancellable);
        report (false, "a cancelled call fails");
    } catch (IOError.CANCELLED e) {
        report (true, "a cancelled call fails with IOError.CANCELLED");
    }

    // Cancelled while in flight: the call ends at once.
    cancellable = new Cancellable ();
    client.generate_random_async.begin (32, cancellable, (obj, res) => {
        try {
            client.generate_random_async.end (res);
            report (false, "an in-flight call is cancelled");
        } catch (Error e) {
            report (e is IOError.CANCELLED, "an in-flight call is cancelled", e.message);
        }
        test_errors.callback ();
    });
    cancellable.cancel ();
    yield;
}

async int run () {
    try {
        yield test_construct ();
        yield test_sign_verify ();
        yield test_encrypt_decrypt ();
        yield test_errors ();
    } catch (Error e) {
        report (false, "no unexpected error", e.message);
    }
    print ("1..%d\n", count);
    return failures > 0 ? 1 : 0;
}

async int main () {
    return yield run ();
}
