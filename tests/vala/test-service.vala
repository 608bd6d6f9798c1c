// SPDX-License-Identifier: Apache-2.0
//
// ParsecClient from Vala through the generated VAPI, against the real test
// service (run through parsec-test-env, which sets PARSEC_SERVICE_ENDPOINT).
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
    report (client.implicit_provider == Parsec.Provider.MBED_CRYPTO, "Mbed Crypto provider");

    uint major, minor;
    var ok = yield client.ping_async (null, out major, out minor);
    report (ok && major == 1 && minor == 0, "async ping answers 1.0");
}

async void test_sign_verify () throws Error {
    var client = yield new_client ();
    yield client.generate_key_async ("vala-sign", new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
    var data = bytes ("the quick brown fox");
    var signature = yield client.sign_data_async ("vala-sign", data);
    report (signature.get_size () == 64, "a raw P-256 signature");
    report (yield client.verify_data_async ("vala-sign", data, signature), "the signature verifies");

    try {
        yield client.verify_data_async ("vala-sign", bytes ("the quick brown cat"), signature);
        report (false, "a wrong signature is refused");
    } catch (Parsec.Error.PSA_INVALID_SIGNATURE e) {
        report (true, "a wrong signature is refused");
    }

    bool listed = false;
    foreach (var key in yield client.list_keys_async ())
        listed |= key.name == "vala-sign";
    report (listed, "the key is listed");
    report (yield client.destroy_key_async ("vala-sign"), "the key is destroyed");
}

async void test_encrypt_decrypt () throws Error {
    var client = yield new_client ();

    var oaep = new Parsec.Algorithm.rsa_oaep (Parsec.Hash.SHA_256);
    yield client.generate_key_async ("vala-rsa", new Parsec.KeyAttributes.rsa_encryption (2048, oaep));
    var ciphertext = yield client.asymmetric_encrypt_async ("vala-rsa", oaep, bytes ("attack at dawn"), null);
    var plaintext = yield client.asymmetric_decrypt_async ("vala-rsa", oaep, ciphertext, null);
    report (text (plaintext) == "attack at dawn", "RSA-OAEP round trip");

    var gcm = new Parsec.Algorithm.aead (Parsec.Aead.GCM);
    yield client.generate_key_async ("vala-aes", new Parsec.KeyAttributes.aead (Parsec.KeyType.AES, 128, gcm));
    var nonce = yield client.generate_random_async (12);
    var sealed = yield client.aead_encrypt_async ("vala-aes", gcm, nonce, bytes ("header"), bytes ("secret"));
    var opened = yield client.aead_decrypt_async ("vala-aes", gcm, nonce, bytes ("header"), sealed);
    report (text (opened) == "secret", "AES-GCM round trip");
}

async void test_errors () throws Error {
    var client = yield new_client ();
    try {
        yield client.sign_data_async ("vala-missing", bytes ("x"));
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
