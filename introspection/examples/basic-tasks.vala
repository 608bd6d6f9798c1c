// SPDX-License-Identifier: Apache-2.0
//
// basic-tasks.vala: the basic tasks of docs/examples.md, one method each,
// run one after the other against the configured Parsec service.
//
// Usage: basic-tasks FILE
// Build: valac --pkg parsec-glib-1 basic-tasks.vala

// Task: Sign a file and verify the signature
async void sign_and_verify_file (Parsec.Client client, string path) throws Error {
    var key = yield client.generate_key_async ("example-signing",
                                               new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
    var data = yield File.new_for_commandline_arg (path).load_bytes_async (null, null);
    var signature = yield key.sign_data_async (data);
    yield key.verify_data_async (data, signature);
    print ("signed and verified %s\n", path);
}

// Task: Encrypt and decrypt
async void encrypt_and_decrypt (Parsec.Client client) throws Error {
    var oaep = new Parsec.Algorithm.rsa_oaep (Parsec.Hash.SHA_256);
    var key = yield client.generate_key_async ("example-encryption",
                                               new Parsec.KeyAttributes.rsa_encryption (2048, oaep));
    // null: the algorithm of the key's policy, RSA-OAEP with SHA-256
    var ciphertext = yield key.asymmetric_encrypt_async (null, new Bytes ("attack at dawn".data), null);
    var plaintext = yield key.asymmetric_decrypt_async (null, ciphertext, null);
    print ("decrypted: %.*s\n", (int) plaintext.get_size (), (string) plaintext.get_data ());
}

// Task: List keys with their attributes
async void list_keys (Parsec.Client client) throws Error {
    foreach (var key in yield client.list_keys_async ()) {
        var attributes = key.get_attributes ();
        print ("%s: %s, %u bits, %s\n", key.get_name (), attributes.get_key_type ().to_string (),
               attributes.get_bits (), attributes.get_algorithm ().to_string ());
    }
}

// Task: Cancellation and deadlines
async void cancel_and_time_out () throws Error {
    // A deadline: each request of this client fails with
    // IOError.TIMED_OUT after 5 seconds (0: no deadline).
    var client = (Parsec.Client) Object.@new (typeof (Parsec.Client),
                                              "application-name", "org.example.BasicTasks",
                                              "timeout", 5000);
    yield client.init_async (Priority.DEFAULT, null);
    var key = yield client.generate_key_async ("example-cancelled",
                                               new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));

    // Cancellation: the call ends at once with IOError.CANCELLED.
    var cancellable = new Cancellable ();
    cancellable.cancel ();
    try {
        yield key.sign_hash_async (null, new Bytes (new uint8[32]), cancellable);
        throw new IOError.FAILED ("the call was not cancelled");
    } catch (IOError.CANCELLED e) {
        print ("cancelled: %s\n", e.message);
    }
}

// Task: Matching errors
async void match_errors (Parsec.Client client) throws Error {
    try {
        yield client.lookup_key_async ("no-such-key");
        throw new IOError.FAILED ("no-such-key exists");
    } catch (Parsec.Error.PSA_DOES_NOT_EXIST e) {
        print ("no key named no-such-key\n");
    }
}

// End of the tasks

// The keys of this program, made by the tasks above
async void delete_keys (Parsec.Client client) throws Error {
    foreach (var key in yield client.list_keys_async ())
        yield key.destroy_async ();
}

async int main (string[] args) {
    if (args.length != 2) {
        printerr ("usage: %s FILE\n", args[0]);
        return 2;
    }
    try {
        var client = (Parsec.Client) Object.@new (typeof (Parsec.Client),
                                                  "application-name", "org.example.BasicTasks");
        yield client.init_async (Priority.DEFAULT, null);
        yield sign_and_verify_file (client, args[1]);
        yield encrypt_and_decrypt (client);
        yield list_keys (client);
        yield cancel_and_time_out ();
        yield match_errors (client);
        yield delete_keys (client);
    } catch (Error e) {
        printerr ("basic-tasks: %s\n", e.message);
        return 1;
    }
    return 0;
}
