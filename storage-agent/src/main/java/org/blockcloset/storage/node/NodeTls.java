package org.blockcloset.storage.node;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * TLS for the S3 and admin ports (issue 16): a certificate chain and its key from PEM files
 * ({@code BLOCKCLOSET_TLS_CERT}, {@code BLOCKCLOSET_TLS_KEY}: what Let's Encrypt, a reverse proxy's
 * CA or {@code openssl req -x509} write; PKCS#8, PKCS#1 and SEC1 keys), or, with
 * {@code BLOCKCLOSET_TLS_CERT=self-signed}, a certificate this node makes once and keeps in
 * {@code <data>/tls/} (ECDSA P-256, ten years, for this node's addresses and domains), whose SHA-256
 * fingerprint the start banner prints so a client can pin it. PEM parsing and certificates are
 * Bouncy Castle's.
 */
public final class NodeTls {
    /** The value of {@code BLOCKCLOSET_TLS_CERT} that asks for a generated certificate. */
    public static final String SELF_SIGNED = "self-signed";
    static final String SELF_SIGNED_CERT = "self-signed.pem";
    static final String SELF_SIGNED_KEY = "self-signed-key.pem";
    private static final String KEYSTORE = "keystore.p12";

    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final Path certFile;

    private NodeTls(List<X509Certificate> chain, PrivateKey key, Path certFile) {
        this.chain = List.copyOf(chain);
        this.key = key;
        this.certFile = certFile;
    }

    /**
     * TLS as the settings ask: none when {@code cert} is empty, a generated certificate (kept in
     * {@code dir}) for {@link #SELF_SIGNED}, else the PEM files named.
     *
     * @param names the host names and addresses a generated certificate is made for
     * @throws IllegalArgumentException a setting that cannot work (a key without a certificate, a
     *     file that holds no certificate or no key, a key that does not match the certificate)
     */
    public static Optional<NodeTls> load(String cert, String key, Path dir, Set<String> names) throws IOException {
        cert = cert == null ? "" : cert.trim();
        key = key == null ? "" : key.trim();
        if (cert.isEmpty()) {
            if (!key.isEmpty()) {
                throw new IllegalArgumentException("BLOCKCLOSET_TLS_KEY is set without BLOCKCLOSET_TLS_CERT");
            }
            return Optional.empty();
        }
        try {
            if (cert.equals(SELF_SIGNED)) {
                if (!key.isEmpty()) {
                    throw new IllegalArgumentException("BLOCKCLOSET_TLS_KEY is set with BLOCKCLOSET_TLS_CERT=self-signed: "
                            + "the node makes its own key");
                }
                return Optional.of(selfSigned(dir, names));
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("BLOCKCLOSET_TLS_CERT is set without BLOCKCLOSET_TLS_KEY");
            }
            return Optional.of(fromFiles(Path.of(cert), Path.of(key)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS: " + e.getMessage(), e);
        }
    }

    static NodeTls fromFiles(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : pem(certFile)) {
            if (o instanceof X509CertificateHolder h) {
                chain.add(converter.getCertificate(h));
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certFile + " holds no PEM certificate (BLOCKCLOSET_TLS_CERT)");
        }
        PrivateKey key = null;
        JcaPEMKeyConverter keys = new JcaPEMKeyConverter();
        for (Object o : pem(keyFile)) {
            if (o instanceof PEMKeyPair pair) {
                key = keys.getPrivateKey(pair.getPrivateKeyInfo()); // PKCS#1 or SEC1 (whose public key is optional)
            } else if (o instanceof PrivateKeyInfo info) {
                key = keys.getPrivateKey(info);
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(keyFile + " holds no unencrypted PEM private key (BLOCKCLOSET_TLS_KEY)");
        }
        NodeTls tls = new NodeTls(chain, key, certFile);
        tls.checkKeyMatches();
        return tls;
    }

    private static List<Object> pem(Path file) throws IOException {
        List<Object> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o; (o = p.readObject()) != null; ) {
                out.add(o);
            }
        }
        return out;
    }

    /** A signature by the key verified with the certificate's public key: the pair belongs together. */
    private void checkKeyMatches() throws GeneralSecurityException {
        if (!key.getAlgorithm().equals(chain.get(0).getPublicKey().getAlgorithm())) {
            throw new IllegalArgumentException("the TLS key (BLOCKCLOSET_TLS_KEY) is not the key of the certificate (BLOCKCLOSET_TLS_CERT): "
                    + key.getAlgorithm() + " against " + chain.get(0).getPublicKey().getAlgorithm());
        }
        String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : null;
        if (alg == null) {
            return; // another kind (Ed25519, ...): the handshake will say
        }
        byte[] probe = "block closet".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature s = java.security.Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        java.security.Signature v = java.security.Signature.getInstance(alg);
        v.initVerify(chain.get(0).getPublicKey());
        v.update(probe);
        if (!v.verify(sig)) {
            throw new IllegalArgumentException("the TLS key (BLOCKCLOSET_TLS_KEY) is not the key of the certificate (BLOCKCLOSET_TLS_CERT)");
        }
    }

    private static NodeTls selfSigned(Path dir, Set<String> names) throws IOException, GeneralSecurityException {
        Path certFile = dir.resolve(SELF_SIGNED_CERT);
        Path keyFile = dir.resolve(SELF_SIGNED_KEY);
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            return fromFiles(certFile, keyFile);
        }
        Files.createDirectories(dir);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair pair = g.generateKeyPair();
        Set<String> all = new LinkedHashSet<>(names);
        all.addAll(List.of("localhost", "127.0.0.1", "::1"));
        try {
            all.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException unknown) {
            // no host name: the addresses will do
        }
        List<GeneralName> san = new ArrayList<>();
        for (String n : all) {
            if (n == null || n.isBlank() || n.equals("0.0.0.0") || n.equals("::")) {
                continue;
            }
            boolean address = n.contains(":") || n.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            san.add(new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=Block Closet node");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
        X509Certificate cert;
        try {
            cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
        try {
            writePem(keyFile, new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null).generate(), true);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new GeneralSecurityException(e);
        }
        writePem(certFile, cert, false);
        return new NodeTls(List.of(cert), pair.getPrivate(), certFile);
    }

    /** Written whole under a temporary name, then renamed: a crash never leaves half a key. */
    private static void writePem(Path file, Object o, boolean secret) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(o);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(text.toString().getBytes(StandardCharsets.US_ASCII));
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A PKCS#12 key store for Jetty (Dropwizard's connector reads one from a file), written to
     * {@code dir} (0600) under a password made for this start; returns that password.
     */
    public String writeKeyStore(Path dir) throws IOException {
        try {
            String password = HexFormat.of().formatHex(randomBytes());
            KeyStore ks = keyStore(password.toCharArray());
            Files.createDirectories(dir);
            Path file = dir.resolve(KEYSTORE);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                ks.store(out, password.toCharArray());
            }
            return password;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the TLS key store: " + e.getMessage(), e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return b;
    }

    public Path keyStorePath(Path dir) {
        return dir.resolve(KEYSTORE);
    }

    private KeyStore keyStore(char[] password) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("node", key, password, chain.toArray(X509Certificate[]::new));
        return ks;
    }

    /** For the stand-in that answers while the node starts. */
    public SSLContext sslContext() {
        try {
            char[] pw = "stand-in".toCharArray();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(pw), pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("TLS: " + e.getMessage(), e);
        }
    }

    /** The server certificate's SHA-256 fingerprint, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The PEM file holding the certificate (a client trusts a self-signed one with it). */
    public Path certificateFile() {
        return certFile;
    }

    /** Where a node with {@code BLOCKCLOSET_TLS_CERT=self-signed} keeps its certificate. */
    public static Path selfSignedCertificate(Path dataDir) {
        return dataDir.resolve("tls").resolve(SELF_SIGNED_CERT);
    }

    /**
     * A client context that trusts exactly the first certificate in {@code pemFile} (a pin: what the
     * node presents must be that certificate, whoever signed it).
     */
    public static SSLContext pinning(Path pemFile) throws IOException {
        try {
            X509CertificateHolder first = null;
            for (Object o : pem(pemFile)) {
                if (o instanceof X509CertificateHolder h) {
                    first = h;
                    break;
                }
            }
            if (first == null) {
                throw new IOException(pemFile + " holds no PEM certificate");
            }
            X509Certificate pinned = new JcaX509CertificateConverter().getCertificate(first);
            javax.net.ssl.X509TrustManager tm = new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                    throw new java.security.cert.CertificateException("a client context");
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                    if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                        throw new java.security.cert.CertificateException("the node presented another certificate than " + pemFile);
                    }
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            };
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS: " + e.getMessage(), e);
        }
    }

    /** The certificate chain, the server's first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /**
     * The names a generated certificate covers: this node's addresses, its S3 domains and their
     * subdomains (virtual-hosted buckets); the host's name, localhost and loopback are added.
     */
    public static Set<String> names(String advertise, List<String> binds, List<String> domains) {
        Set<String> out = new LinkedHashSet<>();
        out.add(advertise);
        out.addAll(binds);
        for (String d : domains) {
            out.add(d.toLowerCase(Locale.ROOT));
            out.add("*." + d.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
