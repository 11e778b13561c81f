#!/bin/sh
# starts java in the background and returns (Type=forking)
nohup java $JAVA_OPTS -jar /opt/batch/batch.jar >/var/log/batch.log 2>&1 &
echo $! > /run/batch.pid
