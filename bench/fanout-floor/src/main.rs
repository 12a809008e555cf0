//! The floor under the fan-out figure (docs/PERFORMANCE.md, "Fan-out against its floor"): the
//! least a process can do to deliver one server-sent event to N open HTTP/1.1 streams on
//! loopback, built on the same runtime as the server (tokio, a task per connection, a broadcast
//! channel between them).
//!
//! Any `GET` is answered with a chunked `text/event-stream` that begins with `event: ready`;
//! the body of a `POST /fire` is then written to every open stream as one chunk, and the answer
//! says to how many. Nothing else: no headers read, no authentication, no database, no filter
//! per stream. What is left is the runtime and the kernel writing sockets.
//!
//! Usage: `fanout-floor [ADDRESS]` (127.0.0.1:3460 by default).

use std::{io, sync::Arc};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::broadcast::{self, error::RecvError},
};

const STREAM_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
    cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n";
const READY: &[u8] = b"event: ready\ndata: {}\n\n";

type Frame = Arc<[u8]>;

#[tokio::main]
async fn main() -> io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3460".to_owned());
    let listener = TcpListener::bind(&address).await?;
    println!("fanout-floor listening on {address}");
    let (frames, _) = broadcast::channel::<Frame>(16);
    loop {
        let (socket, _) = listener.accept().await?;
        let frames = frames.clone();
        tokio::spawn(async move {
            // A client that goes away ends its stream; nothing to report.
            let _ = serve(socket, frames).await;
        });
    }
}

async fn serve(mut socket: TcpStream, frames: broadcast::Sender<Frame>) -> io::Result<()> {
    let (head, mut body) = request(&mut socket).await?;
    if head.starts_with(b"POST /fire ") {
        let length = content_length(&head).unwrap_or(0);
        while body.len() < length {
            let mut more = [0u8; 4096];
            let n = socket.read(&mut more).await?;
            if n == 0 {
                return Ok(());
            }
            body.extend_from_slice(&more[..n]);
        }
        let receivers = frames.send(chunk(&body[..length])).unwrap_or(0);
        let answer = receivers.to_string();
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        );
        return socket.write_all(reply.as_bytes()).await;
    }
    // Subscribed before `ready` is written: a client that has read `ready` hears every frame
    // fired after it.
    let mut fired = frames.subscribe();
    socket.write_all(STREAM_HEAD).await?;
    socket.write_all(&chunk(READY)).await?;
    loop {
        match fired.recv().await {
            Ok(frame) => socket.write_all(&frame).await?,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return Ok(()),
        }
    }
}

/// Reads up to the end of the request's head; gives the head and what came after it.
async fn request(socket: &mut TcpStream) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut read = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        read.extend_from_slice(&buf[..n]);
        if let Some(end) = read.windows(4).position(|w| w == b"\r\n\r\n") {
            let body = read.split_off(end + 4);
            return Ok((read, body));
        }
    }
}

fn content_length(head: &[u8]) -> Option<usize> {
    String::from_utf8_lossy(head).lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// `bytes` as one chunk of a chunked body.
fn chunk(bytes: &[u8]) -> Frame {
    let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    framed.extend_from_slice(b"\r\n");
    framed.into()
}
