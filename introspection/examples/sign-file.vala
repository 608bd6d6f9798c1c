// SPDX-License-Identifier: Apache-2.0
//
// sign-file.vala: sign a file with a key held by the Parsec service, then
// verify the signature.
//
// Usage: sign-file KEY-NAME FILE
// Build: valac --pkg parsec-glib-1 sign-file.vala

async int main (string[] args) {
    if (args.length != 3) {
        printerr ("usage: %s KEY-NAME FILE\n", args[0]);
        return 2;
    }
    var key_name = args[1];

    try {
        // The service keeps each application's keys apart by this name.
        var client = (Parsec.Client) Object.@new (typeof (Parsec.Client),
                                                  "application-name", "org.example.SignFile");
        yield client.init_async (Priority.DEFAULT, null);

        // An ECDSA P-256 key for SHA-256; the key of an earlier run is reused.
        Parsec.Key key;
        try {
            key = yield client.generate_key_async (key_name, new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
        } catch (Parsec.Error.PSA_ALREADY_EXISTS e) {
            // Made by an earlier run.
            key = yield client.lookup_key_async (key_name);
        }

        // The key's policy gives the algorithm; only the SHA-256 digest of the
        // file travels to the service, in one request.
        var data = yield File.new_for_commandline_arg (args[2]).load_bytes_async (null, null);
        var signature = yield key.sign_data_async (data);
        print ("%s\n", Base64.encode (signature.get_data ()));

        // A signature that does not match throws Parsec.Error.PSA_INVALID_SIGNATURE.
        yield key.verify_data_async (data, signature);
        print ("verified\n");
    } catch (Error e) {
        printerr ("sign-file: %s\n", e.message);
        return 1;
    }
    return 0;
}
