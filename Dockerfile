# The demo and the tests in a container: the same Debian 12, JDK 17, Maven and OpenSSL 3 as CI.
#   docker build -t ossl-tickets .
#   docker run --rm ossl-tickets                 # the embedded demo
#   docker run --rm ossl-tickets mvn -B test     # the tests
FROM debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jdk-headless maven gcc make libc6-dev pkg-config libssl-dev openssl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /ossl-tickets
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY . .
RUN mvn -B -q -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip package
CMD ["scripts/ossl-tickets", "demo"]
