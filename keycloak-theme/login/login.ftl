<#import "template.ftl" as layout>
<#import "woundwo.ftl" as ww>
<#import "passkeys.ftl" as passkeys>
<#assign loginFailed = messagesPerField.existsError('username','password')>
<@layout.registrationLayout displayMessage=!loginFailed displayInfo=ww.bridgePage("/request-access")?has_content showEndCustomer=true; section>
    <#if section = "header">
        ${msg("wwLoginTitle")}
    <#elseif section = "form">
        <p class="ww-lead">${msg("wwLoginLead")}</p>
        <#if realm.password>
        <form id="kc-form-login" class="ww-form" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post"
              data-email-check="${ww.emailCheckUrl()}"<#if loginFailed> data-login-failed="true"</#if>>
            <#if loginFailed>
                <div class="ww-alert ww-alert--error" id="ww-login-error">
                    <p class="ww-alert__text" id="input-error">${kcSanitize(messagesPerField.getFirstError('username','password'))?no_esc}</p>
                    <#if realm.resetPasswordAllowed>
                    <p class="ww-alert__text" id="ww-forgot-hint" hidden>${msg("wwKnownButFailed")} <a href="${url.loginResetCredentialsUrl}">${msg("wwForgotPassword")}</a></p>
                    </#if>
                </div>
            </#if>

            <#if !usernameHidden??>
                <@ww.emailField value=(login.username!'') errorId=loginFailed?then("input-error", "")/>
            </#if>

            <div class="ww-field">
                <label for="password" class="ww-label">${msg("wwPasswordLabel")}</label>
                <div class="ww-input-group" dir="ltr">
                    <input id="password" name="password" type="password" class="ww-input" autocomplete="current-password"
                           <#if usernameHidden??>autofocus</#if>
                           <#if loginFailed>aria-invalid="true" aria-describedby="input-error"</#if>/>
                    <button type="button" class="ww-pw-toggle" aria-controls="password" aria-label="${msg('showPassword')}" data-password-toggle
                            data-icon-show="ww-eye" data-icon-hide="ww-eye ww-eye--off"
                            data-label-show="${msg('showPassword')}" data-label-hide="${msg('hidePassword')}"><i class="ww-eye" aria-hidden="true"></i></button>
                </div>
                <#if realm.resetPasswordAllowed>
                    <p class="ww-field-link"><a id="ww-forgot-password" href="${url.loginResetCredentialsUrl}">${msg("wwForgotPassword")}</a></p>
                </#if>
            </div>

            <#if realm.rememberMe && !usernameHidden??>
                <div class="ww-check">
                    <input id="rememberMe" name="rememberMe" type="checkbox"<#if login.rememberMe??> checked</#if>>
                    <label for="rememberMe">${msg("rememberMe")}</label>
                </div>
            </#if>

            <div id="kc-form-buttons" class="ww-actions">
                <input type="hidden" id="id-hidden-input" name="credentialId"<#if auth.selectedCredential?has_content> value="${auth.selectedCredential}"</#if>/>
                <input class="ww-btn ww-btn--primary ww-btn--block" name="login" id="kc-login" type="submit" value="${msg("wwSignIn")}"/>
            </div>
        </form>
        </#if>
        <@passkeys.conditionalUIData />
        <script type="module" src="${url.resourcesPath}/js/passwordVisibility.js"></script>
    <#elseif section = "info">
        <#assign requestAccess = ww.bridgePage("/request-access")>
        <#if requestAccess?has_content>
            <div id="ww-request-access" class="ww-request">
                <p><strong>${msg("wwRequestTitle")}</strong> ${msg("wwRequestText")}</p>
                <a id="ww-request-access-link" class="ww-btn ww-btn--secondary ww-btn--block" href="${requestAccess}">${msg("wwRequestLink")}</a>
            </div>
        </#if>
    <#elseif section = "socialProviders">
        <#if realm.password && social?? && social.providers?has_content>
            <div id="kc-social-providers" class="ww-social">
                <h2>${msg("identity-provider-login-label")}</h2>
                <ul class="ww-links">
                    <#list social.providers as p>
                        <li><a id="social-${p.alias}" class="ww-btn ww-btn--secondary ww-btn--block" href="${p.loginUrl}">${p.displayName!}</a></li>
                    </#list>
                </ul>
            </div>
        </#if>
    </#if>
</@layout.registrationLayout>
