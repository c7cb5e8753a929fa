package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

/**
 * A multipart/form-data body read as a browser form upload needs it (POST Object): the fields
 * before the {@code file} part are collected (bounded), then the file's bytes are streamed, never
 * held whole. Jetty's multipart parser does the parsing; this class pulls request bytes into it
 * only as fast as the file's reader asks for them.
 */
final class FormParts {
    /** All fields together: a policy, a signature and some metadata are a few KiB. */
    static final int MAX_FIELDS_BYTES = 256 << 10;
    /** Headers of one part, and parts in a form: a browser's form has a handful. */
    static final int MAX_PART_HEADERS_BYTES = 16 << 10;
    static final int MAX_PARTS = 100;
    private static final int READ = 64 << 10;

    private final InputStream in;
    private final MultiPart.Parser parser;
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final ArrayDeque<byte[]> fileBytes = new ArrayDeque<>();
    private final byte[] buf = new byte[READ];
    private int fieldsBytes;
    private String partName;
    private String partFileName;
    private String partContentType;
    private java.io.ByteArrayOutputStream value;
    private boolean inFile;
    private boolean fileStarted;
    private boolean fileEnded;
    private boolean eof;
    private String fileName;
    private String fileContentType;
    private Throwable failure;
    /** Set by the parser's listener (whose exceptions Jetty swallows); thrown by {@link #pump}. */
    private boolean tooLarge;

    FormParts(InputStream in, String boundary) {
        this.in = in;
        this.parser = new MultiPart.Parser(boundary, new Listener());
        parser.setPartHeadersMaxLength(MAX_PART_HEADERS_BYTES);
        parser.setMaxParts(MAX_PARTS);
    }

    /** The boundary of a multipart/form-data Content-Type; null when it is not one. */
    static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            return null;
        }
        return MultiPart.extractBoundary(contentType);
    }

    /** Reads the form up to the file part; false when it has none. */
    boolean readFields() throws IOException {
        while (!fileStarted && !eof) {
            pump();
        }
        return fileStarted;
    }

    /** Field name (lower case) → value, for the fields before the file. */
    Map<String, String> fields() {
        return fields;
    }

    String fileName() {
        return fileName;
    }

    String fileContentType() {
        return fileContentType;
    }

    /** The file's bytes, read from the request as they are asked for. */
    InputStream file() {
        return new InputStream() {
            private byte[] current;
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (current == null || pos == current.length) {
                    current = fileBytes.poll();
                    pos = 0;
                    if (current == null) {
                        if (fileEnded) {
                            return -1;
                        }
                        if (eof) {
                            throw new S3Exception(S3Error.INCOMPLETE_BODY, "The form ended inside the file.");
                        }
                        pump();
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private void pump() throws IOException {
        int n = in.read(buf);
        if (n < 0) {
            eof = true;
            parser.parse(Content.Chunk.from(ByteBuffer.allocate(0), true));
        } else {
            parser.parse(Content.Chunk.from(ByteBuffer.wrap(buf, 0, n), false));
        }
        if (tooLarge) {
            throw new S3Exception(S3Error.MAX_MESSAGE_LENGTH_EXCEEDED, "The form's fields exceed " + MAX_FIELDS_BYTES + " bytes.");
        }
        if (failure != null) {
            throw new S3Exception(S3Error.MALFORMED_POST_REQUEST, "The body of your POST request is not well-formed "
                    + "multipart/form-data: " + failure.getMessage());
        }
    }

    private final class Listener implements MultiPart.Parser.Listener {
        @Override
        public void onPartBegin() {
            partName = null;
            partFileName = null;
            partContentType = null;
            value = new java.io.ByteArrayOutputStream();
        }

        @Override
        public void onPartHeader(String name, String headerValue) {
            if (name.equalsIgnoreCase("Content-Disposition")) {
                partName = parameter(headerValue, "name");
                partFileName = parameter(headerValue, "filename");
            } else if (name.equalsIgnoreCase("Content-Type")) {
                partContentType = headerValue.trim();
            }
        }

        @Override
        public void onPartHeaders() {
            if (fileStarted) {
                return; // parts after the file are ignored, as S3 does
            }
            if ("file".equalsIgnoreCase(partName)) {
                inFile = true;
                fileStarted = true;
                fileName = partFileName;
                fileContentType = partContentType;
            }
        }

        @Override
        public void onPartContent(Content.Chunk chunk) {
            ByteBuffer b = chunk.getByteBuffer();
            int n = b.remaining();
            if (inFile) {
                if (n > 0) {
                    byte[] copy = new byte[n];
                    b.get(copy);
                    fileBytes.add(copy);
                }
            } else if (!fileStarted && !tooLarge) {
                fieldsBytes += n;
                if (fieldsBytes > MAX_FIELDS_BYTES) {
                    tooLarge = true;
                } else {
                    byte[] copy = new byte[n];
                    b.get(copy);
                    value.writeBytes(copy);
                }
            }
            chunk.release();
        }

        @Override
        public void onPartEnd() {
            if (inFile) {
                inFile = false;
                fileEnded = true;
            } else if (!fileStarted && partName != null && !tooLarge) {
                fieldsBytes += partName.length();
                tooLarge = fieldsBytes > MAX_FIELDS_BYTES;
                fields.putIfAbsent(partName.toLowerCase(Locale.ROOT), value.toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void onFailure(Throwable t) {
            failure = t;
        }
    }

    /** A parameter of a Content-Disposition header (quoted or not); null when absent. */
    static String parameter(String header, String name) {
        for (String p : header.split(";")) {
            String t = p.trim();
            int eq = t.indexOf('=');
            if (eq > 0 && t.substring(0, eq).trim().equalsIgnoreCase(name)) {
                String v = t.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1).replace("\\\"", "\"");
                }
                return v;
            }
        }
        return null;
    }
}
